"""The customer's own copy of a receipt: its link (``/r/<token>``), and the WhatsApp message that carries it."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import current_app, has_request_context, request

WA_ME = "https://wa.me/"
_NOT_DIGITS = re.compile(r"[\s().\-]")


def base_url() -> str:
    """Central's public address when the node knows it (the link then works from anywhere once the sale has
    synced), else this server's address as the tablet reached it (the shop's network)."""
    configured = current_app.config.get("POS_RECEIPT_URL") or current_app.config.get("POS_CENTRAL_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return ""


def receipt_link(token: str | None) -> str:
    if not token:
        return ""
    base = base_url()
    return f"{base}/r/{token}" if base else ""


def whatsapp_number(text: str) -> str:
    """An Indonesian mobile number as WhatsApp wants it: "0812-3456-7890", "+62 812 3456 7890" and
    "6281234567890" all become "6281234567890". ValueError for anything else."""
    digits = _NOT_DIGITS.sub("", (text or "").strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        raise ValueError("not a number")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("628") or not 10 <= len(digits) <= 15:
        raise ValueError("not an Indonesian mobile number")
    return digits


def whatsapp_url(number: str, message: str) -> str:
    return f"{WA_ME}{number}?text={quote(message, safe='')}"
