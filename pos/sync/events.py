"""The events an outlet pushes, one schema each (JSON Schema 2020-12).

One module for both sides: the outbox producers' payloads are checked against it (always in tests, with
``POS_STRICT_EVENTS``), central's ingest reads its enumerations from it, and the OpenAPI document publishes it.
Central still checks every value itself (``pos.sync.ingest``): a schema says what a well-made event looks like,
the ingest says, per event and with a code, what is wrong with one that is not.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pos.domain.cash import MAX_ROUNDING, ROUNDING_STEPS
from pos.domain.sync import EVENT_TYPES, LINE_FIGURES

PAYMENT_METHODS = frozenset({"cash", "qris", "transfer"})
MOVEMENT_KINDS = frozenset({"opening", "receive", "sale", "refund", "adjust", "return", "write_off"})
SALE_TYPES = ("sale.completed", "sale.refund", "sale.void")
SALE_KIND_BY_TYPE = {"sale.completed": "sale", "sale.refund": "refund", "sale.void": "void"}
# The stock movement kind each stock document makes, and the document type its movements name.
STOCK_KIND_BY_TYPE = {
    "delivery.received": "receive",
    "stock_count.confirmed": "adjust",
    "stock_return.sent": "return",
    "stock.written_off": "write_off",
}
MOVEMENT_KIND_BY_DOCUMENT = {
    "sale.completed": "sale",
    "sale.refund": "refund",
    "sale.void": "void",
    "delivery.received": "delivery",
    "stock_count.confirmed": "stock_count",
    "stock_return.sent": "stock_return",
    "stock.written_off": "write_off",
}

UUID: dict[str, Any] = {"type": "string", "format": "uuid"}
MAYBE_UUID: dict[str, Any] = {"type": ["string", "null"], "format": "uuid"}
MOMENT: dict[str, Any] = {"type": "string", "format": "date-time"}
MAYBE_MOMENT: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
DAY: dict[str, Any] = {"type": "string", "format": "date"}
MAYBE_DAY: dict[str, Any] = {"type": ["string", "null"], "format": "date"}
RUPIAH: dict[str, Any] = {"type": "integer", "description": "whole Rupiah"}
WHOLE: dict[str, Any] = {"type": "integer"}
TEXT: dict[str, Any] = {"type": "string"}
MAYBE_TEXT: dict[str, Any] = {"type": ["string", "null"]}


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(k for k in properties if k not in optional),
        "properties": properties,
    }


MOVEMENT = _object(
    {"uuid": UUID, "product": UUID, "kind": {"enum": sorted(MOVEMENT_KINDS)}, "quantity": WHOLE, "note": TEXT},
    optional=("note",),
)
MOVEMENTS = {"type": "array", "items": MOVEMENT, "maxItems": 2000}
_LINE_TYPES = {
    "line_no": WHOLE,
    "name": TEXT,
    "unit": TEXT,
    "quantity": WHOLE,
    "unit_price": RUPIAH,
    "gross": RUPIAH,
    "discount": RUPIAH,
    "net": RUPIAH,
    "fee_bp": {"type": "integer", "minimum": 0, "maximum": 10_000},
    "fee": RUPIAH,
    "investor_share": RUPIAH,
}
assert set(_LINE_TYPES) == set(LINE_FIGURES)
SALE_LINE = _object(
    {
        "uuid": UUID,
        "product": UUID,
        "investor": UUID,
        "agreement_version": MAYBE_UUID,
        "original_line": MAYBE_UUID,
        **_LINE_TYPES,
    },
    optional=("original_line",),
)
SALE = _object(
    {
        "uuid": UUID,
        "idempotency_key": UUID,
        "kind": {"enum": ["sale", "refund", "void"]},
        "receipt_no": {"type": "string", "minLength": 1, "maxLength": 40},
        "receipt_token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22,32}$"},
        "business_date": DAY,
        "created_at": MOMENT,
        "shift": UUID,
        "cashier": UUID,
        "original": MAYBE_UUID,
        "member": MAYBE_UUID,
        "subtotal": RUPIAH,
        "discount": RUPIAH,
        "total": RUPIAH,
        "fee": RUPIAH,
        "investor_share": RUPIAH,
        "paid": RUPIAH,
        "change": RUPIAH,
        "rounding": {"type": "integer", "minimum": -MAX_ROUNDING, "maximum": MAX_ROUNDING},
        "reason": TEXT,
        "lines": {"type": "array", "items": SALE_LINE, "minItems": 1},
        "payments": {
            "type": "array",
            "items": _object(
                {"uuid": UUID, "method": {"enum": sorted(PAYMENT_METHODS)}, "amount": RUPIAH, "reference": TEXT}
            ),
        },
        "movements": MOVEMENTS,
    },
    # an outlet from before cash rounding, receipt links or members at the till sends none
    optional=("rounding", "receipt_token", "member"),
)

PAYLOADS: dict[str, dict[str, Any]] = {
    "sale.completed": SALE,
    "sale.refund": SALE,
    "sale.void": SALE,
    "shift.opened": _object(
        {"uuid": UUID, "register": TEXT, "cashier": UUID, "opened_at": MOMENT, "opening_float": RUPIAH}
    ),
    "shift.closed": _object(
        {
            "uuid": UUID,
            "closed_at": MOMENT,
            "expected_cash": RUPIAH,
            "counted_cash": RUPIAH,
            "approved_by": MAYBE_UUID,
        }
    ),
    "cash.moved": _object(
        {"uuid": UUID, "shift": UUID, "kind": {"enum": ["in", "out"]}, "amount": RUPIAH, "reason": TEXT, "at": MOMENT}
    ),
    "delivery.received": _object(
        {
            "delivery": UUID,
            "received_at": MOMENT,
            "received_by": UUID,
            "note": TEXT,
            "lines": {
                "type": "array",
                "items": _object({"line": WHOLE, "product": UUID, "good": WHOLE, "damaged": WHOLE}),
            },
            "movements": MOVEMENTS,
        }
    ),
    "stock_count.confirmed": _object(
        {
            "count": UUID,
            "number": TEXT,
            "confirmed_by": UUID,
            "confirmed_at": MOMENT,
            "started_at": MOMENT,
            "scope": TEXT,
            "reason": TEXT,
            "lines": {
                "type": "array",
                "items": _object(
                    {"product": UUID, "counted": WHOLE, "expected": WHOLE, "unit_price": RUPIAH, "note": TEXT}
                ),
            },
            "movements": MOVEMENTS,
        }
    ),
    "stock_return.sent": _object(
        {
            "return": UUID,
            "number": TEXT,
            "investor": UUID,
            "reason": TEXT,
            "note": TEXT,
            "sent_by": UUID,
            "sent_at": MOMENT,
            "movements": MOVEMENTS,
        }
    ),
    "stock.written_off": _object({"reason": TEXT, "by": UUID, "movements": MOVEMENTS}),
    "restock.requested": _object(
        {
            "request": UUID,
            "number": TEXT,
            "investor": UUID,
            "note": TEXT,
            "requested_by": UUID,
            "requested_at": MOMENT,
            "lines": {
                "type": "array",
                "items": _object({"product": MAYBE_UUID, "description": TEXT, "quantity": WHOLE}),
            },
        }
    ),
    "staff.saved": _object(
        {
            "uuid": UUID,
            "full_name": TEXT,
            "role": TEXT,
            "role_note": TEXT,
            "employer": {"enum": ["cooperative", "investor"]},
            "investor": MAYBE_UUID,
            "start_date": DAY,
            "end_date": MAYBE_DAY,
            "new_job": {"type": "boolean"},
            "national_id": MAYBE_TEXT,
            "updated_at": MOMENT,
        }
    ),
    "outlet.settings": _object(
        {
            "qris_static": MAYBE_TEXT,
            "cash_rounding": {"enum": list(ROUNDING_STEPS)},
            "show_expected_cash": {"type": "boolean"},
            "npwp": {"type": "string", "pattern": "^([0-9]{15,16})?$"},
            "nitku": {"type": "string", "pattern": "^([0-9]{22})?$"},
            "receipt_footer": {"type": "string", "maxLength": 160},
            "updated_at": MOMENT,
        },
        optional=("npwp", "nitku", "receipt_footer"),  # an outlet from before receipts carried them
    ),
    "account.saved": _object(
        {
            "uuid": UUID,
            "username": TEXT,
            "full_name": TEXT,
            "role": {"enum": ["cashier", "manager"]},
            "pin_hash": MAYBE_TEXT,
            "active": {"type": "boolean"},
            "updated_at": MOMENT,
        }
    ),
    "node.restored": _object({"restored_from": TEXT, "restored_at": MOMENT, "backup_seq": WHOLE, "central_seq": WHOLE}),
}
assert set(PAYLOADS) == set(EVENT_TYPES)


def schema_name(event_type: str) -> str:
    """The payload's name in the OpenAPI document: ``sale.completed`` → ``SaleCompletedPayload``."""
    return "".join(part.capitalize() for part in event_type.replace("_", ".").split(".")) + "Payload"


@cache
def _validator(event_type: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = PAYLOADS[event_type]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


class EventSchemaError(ValueError):
    pass


def check(event_type: str, payload: dict[str, Any]) -> None:
    """Raise if ``payload`` is not a well-made event of ``event_type`` (needs ``jsonschema``: tests only)."""
    errors = sorted(_validator(event_type).iter_errors(payload), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(payload)"
        raise EventSchemaError(f"{event_type} {where}: {errors[0].message}")
