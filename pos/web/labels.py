"""What a person reads for a code the system stores: units, stock movement kinds, documents, time zones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

UNIT_NAMES = {
    "pcs": _l("pcs"),
    "pack": _l("pack"),
    "box": _l("box"),
    "bottle": _l("bottle"),
    "sachet": _l("sachet"),
    "kg": "kg",
    "l": _l("litre"),
    "g": "g",
    "ml": "ml",
}

MOVEMENT_KINDS = {
    "opening": _l("opening stock"),
    "receive": _l("received"),
    "sale": _l("sale"),
    "refund": _l("refund"),
    "adjust": _l("count adjustment"),
    "return": _l("return to investor"),
    "write_off": _l("write-off"),
}

DOCUMENTS = {
    "delivery": _l("delivery"),
    "stock_count": _l("stock count"),
    "stock_return": _l("return to investor"),
    "write_off": _l("write-off"),
    "sale": _l("sale"),
    "refund": _l("refund"),
    "void": _l("void"),
}

# Indonesia's three time zones by the names people use; others as their IANA name.
ZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def unit_name(code: str) -> str:
    return str(UNIT_NAMES.get(code, code))


def movement_kind(kind: str) -> str:
    return str(MOVEMENT_KINDS.get(kind, kind))


def document(kind: str | None) -> str:
    return str(DOCUMENTS.get(kind, kind)) if kind else ""


def zone(timezone: str) -> str:
    return ZONES.get(timezone, timezone)
