"""Identifiers made where a record is born: time-ordered UUIDv7, and the unguessable token of a receipt link."""

from __future__ import annotations

import re
import secrets
import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid6.uuid7().bytes)


RECEIPT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,32}$")


def receipt_token() -> str:
    """128 random bits in 22 URL-safe characters: a link to one receipt that nobody can guess from another."""
    return secrets.token_urlsafe(16)
