"""Sync rules that need no database: event envelopes, body digests and retry timing."""

from __future__ import annotations

import enum
import hashlib
import json
import random
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import orjson

SCHEMA_VERSION = 1
MAX_BATCH = 1000
# A sale line's own figures, as a sale event carries them (besides its UUID and references).
LINE_FIGURES = (
    "line_no",
    "name",
    "unit",
    "quantity",
    "unit_price",
    "gross",
    "discount",
    "net",
    "fee_bp",
    "fee",
    "investor_share",
)
EVENT_TYPES = frozenset(
    {
        "sale.completed",
        "sale.refund",
        "sale.void",
        "shift.opened",
        "shift.closed",
        "cash.moved",
        "delivery.received",
        "stock_count.confirmed",
        "stock_return.sent",
        "stock.written_off",
        "restock.requested",
        "staff.saved",
        "outlet.settings",
        "node.restored",
        "account.saved",
    }
)


class EnvelopeError(ValueError):
    """An event that cannot be read at all; ``code`` names the reason for the client."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Envelope:
    id: uuid.UUID
    seq: int
    type: str
    schema_version: int
    payload: dict[str, Any]

    @property
    def text(self) -> str:
        return canonical(self.payload)

    @property
    def digest(self) -> str:
        return digest_of(self, self.text)


def canonical(payload: Any) -> str:
    """Sorted keys, no spaces, UTF-8 as is: the same text json.dumps gives, made by orjson when it can."""
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits, lone surrogates
        return legacy_canonical(payload)


def legacy_canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(env: Envelope, payload_text: str) -> str:
    """The digest of the whole event from its payload's canonical text (keys id, payload, seq, type, v in order)."""
    text = f'{{"id":"{env.id}","payload":{payload_text},"seq":{env.seq},"type":"{env.type}","v":{env.schema_version}}}'
    return hashlib.sha256(text.encode()).hexdigest()


def body_digest(event_id: uuid.UUID, seq: int, event_type: str, schema_version: int, payload: Any) -> str:
    text = legacy_canonical(
        {"id": str(event_id), "seq": seq, "type": event_type, "v": schema_version, "payload": payload}
    )
    return hashlib.sha256(text.encode()).hexdigest()


def read_envelope(raw: Any) -> Envelope:
    """Check one pushed event's shape; the payload's content is checked by its handler."""
    if not isinstance(raw, dict):
        raise EnvelopeError("malformed", "an event must be a JSON object")
    try:
        event_id = uuid.UUID(str(raw.get("id")))
    except ValueError:
        raise EnvelopeError("malformed", "id must be a UUID") from None
    seq, event_type, version, payload = raw.get("seq"), raw.get("type"), raw.get("schema_version"), raw.get("payload")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**62:
        raise EnvelopeError("malformed", "seq must be a positive integer")
    if not isinstance(version, int) or isinstance(version, bool):
        raise EnvelopeError("malformed", "schema_version must be an integer")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise EnvelopeError("unknown_type", f"unknown event type {str(event_type)[:40]!r}")
    if version > SCHEMA_VERSION or version < 1:
        raise EnvelopeError("unsupported_version", f"schema version {version} is not supported (max {SCHEMA_VERSION})")
    if not isinstance(payload, dict):
        raise EnvelopeError("malformed", "payload must be a JSON object")
    return Envelope(event_id, seq, event_type, version, payload)


def backoff_ms(failures: int, base_ms: int = 1000, cap_ms: int = 300_000, rng: random.Random | None = None) -> int:
    """Full jitter: a random wait up to base·2^failures milliseconds, capped, so outlets do not retry in step."""
    ceiling = min(cap_ms, base_ms * (2 ** min(failures, 20)))
    return (rng or random).randint(0, ceiling)


class Verdict(enum.StrEnum):
    """What central makes of one pushed event before its content is looked at."""

    FRESH = "fresh"  # never seen: its handler checks it
    DUPLICATE = "duplicate"  # stored already with this very body: acknowledged, nothing written
    CHANGED_BODY = "changed_body"  # this id is stored with another body (or for another outlet): a conflict
    SEQ_REUSED = "seq_reused"  # a new event under a sequence number the outlet already used: a conflict


def decide(outlet_id: int, stored: tuple[int, str] | None, digests: Collection[str], seq_taken: bool) -> Verdict:
    """The duplicate/conflict rule: ``stored`` is the (outlet, digest) kept under the event's id, if any;
    ``digests`` the digests this event's body can have; ``seq_taken`` whether its sequence number is used."""
    if stored is not None:
        same = stored[0] == outlet_id and stored[1] in digests
        return Verdict.DUPLICATE if same else Verdict.CHANGED_BODY
    return Verdict.SEQ_REUSED if seq_taken else Verdict.FRESH
