"""The outlet's one writer of a sale's rows: a sale, refund or void with its lines, payments, stock movements,
outbox event and (on an all-in-one server) rollups, all in the caller's transaction.

Checkout, refunds and voids, and sales recorded on a chosen day (the demo's history and tests) price with
``pos.domain.pricing`` and hand the priced rows here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam

from pos.core import prepared, upsert
from pos.domain import stock as stock_rules
from pos.domain.ids import new_id, receipt_token
from pos.domain.pricing import PricedLine
from pos.domain.sync import LINE_FIGURES
from pos.extensions import db
from pos.members import purchases
from pos.models import (
    MovementKind,
    Outlet,
    Payment,
    PaymentMethod,
    Product,
    ReceiptSequence,
    Sale,
    SaleKind,
    SaleLine,
)
from pos.stock import ledger
from pos.sync import outbox, standing


@dataclass(frozen=True, slots=True)
class Head:
    """A sale's own row, before it has an id: who, when, which kind, and what it answers to."""

    uuid: uuid.UUID
    kind: SaleKind
    receipt_no: str
    idempotency_key: uuid.UUID
    business_date: date
    created_at: datetime
    shift_id: int
    shift: uuid.UUID
    cashier_id: int
    cashier: uuid.UUID
    original_id: int | None = None
    original: uuid.UUID | None = None
    reason: str = ""
    approved_by_id: int | None = None
    receipt_token: str = field(default_factory=receipt_token)  # the customer's link (``/r/<token>``)
    member_id: int | None = None  # the cooperative's member buying; a refund keeps the sale's
    member: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One priced line with the records it names (ids here, UUIDs in the event)."""

    product_id: int
    product: uuid.UUID
    investor_id: int
    investor: uuid.UUID
    agreement_version_id: int
    agreement_version: uuid.UUID | None
    name: str
    unit: str
    price: PricedLine
    original_line_id: int | None = None
    original_line: uuid.UUID | None = None

    @classmethod
    def sold(cls, product: Product, version_id: int, version: uuid.UUID | None, price: PricedLine) -> Line:
        """A line selling ``product`` at ``price`` under an agreement version."""
        return cls(
            product_id=product.id,
            product=product.uuid,
            investor_id=product.investor_id,
            investor=product.investor.uuid,
            agreement_version_id=version_id,
            agreement_version=version,
            name=product.name,
            unit=product.unit,
            price=price,
        )

    @classmethod
    def taken_back(cls, line: SaleLine, version: uuid.UUID | None, piece: PricedLine) -> Line:
        """A refund's or void's line: ``piece`` of a sold line, at that line's terms."""
        return cls(
            product_id=line.product_id,
            product=line.product.uuid,
            investor_id=line.investor_id,
            investor=line.investor.uuid,
            agreement_version_id=line.agreement_version_id,
            agreement_version=version,
            name=line.name,
            unit=line.unit,
            price=piece,
            original_line_id=line.id,
            original_line=line.uuid,
        )


@dataclass(frozen=True, slots=True)
class Tender:
    method: PaymentMethod
    amount: int
    reference: str = ""


@prepared.per_dialect
def _take_receipt_no() -> Any:
    table = ReceiptSequence.__table__
    stmt = upsert.insert(table).values(outlet_id=bindparam("outlet"), business_date=bindparam("day"), last_no=1)
    return stmt.on_conflict_do_update(
        index_elements=["outlet_id", "business_date"], set_={"last_no": table.c.last_no + 1}
    ).returning(table.c.last_no)


def next_receipt_no(outlet: Outlet, day: date) -> str:
    """The outlet's next receipt number for the day: one upsert that returns the number it took."""
    standing.refuse_while_restored()
    number = db.session.connection().execute(_take_receipt_no(), {"outlet": outlet.id, "day": day}).scalar_one()
    return f"{outlet.code}-{day:%Y%m%d}-{number:04d}"


_INSERT_SALE = db.insert(Sale.__table__).returning(Sale.__table__.c.id)
_INSERT_LINES = db.insert(SaleLine.__table__)
_INSERT_PAYMENTS = db.insert(Payment.__table__)
_EVENT_TYPE = {SaleKind.SALE: "sale.completed", SaleKind.REFUND: "sale.refund", SaleKind.VOID: "sale.void"}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def write(
    outlet: Outlet,
    head: Head,
    lines: Sequence[Line],
    tenders: Sequence[Tender],
    *,
    paid: int,
    change: int = 0,
    rounding: int = 0,
    user_id: int | None = None,
    short: frozenset[int] = frozenset(),
) -> int:
    """Write one sale, refund or void and return its id. Sold units leave stock and refunded units come back,
    each as a movement that names the sale; ``short`` are products sold below the recorded stock; ``rounding`` is
    the cash rounding, the sale's line outside its goods (``pos.domain.cash``)."""
    figures = {
        "subtotal": sum(ln.price.gross for ln in lines),
        "discount": sum(ln.price.line_discount + ln.price.sale_discount for ln in lines),
        "total": sum(ln.price.net for ln in lines),
        "fee": sum(ln.price.fee for ln in lines),
        "investor_share": sum(ln.price.investor_share for ln in lines),
        "paid": paid,
        "change": change,
        "rounding": rounding,
    }
    due = figures["total"] + rounding
    if sum(t.amount for t in tenders) - change != due or paid - change != due:
        raise ValueError("payments less change must equal the total and its rounding")  # DESIGN §4.2
    connection = db.session.connection()
    sale_id = connection.execute(
        _INSERT_SALE,
        {
            "receipt_token": head.receipt_token,
            "uuid": head.uuid,
            "outlet_id": outlet.id,
            "shift_id": head.shift_id,
            "cashier_id": head.cashier_id,
            "kind": head.kind,
            "receipt_no": head.receipt_no,
            "idempotency_key": head.idempotency_key,
            "business_date": head.business_date,
            "created_at": head.created_at,
            "original_id": head.original_id,
            "reason": head.reason,
            "approved_by_id": head.approved_by_id,
            "member_id": head.member_id,
            **figures,
        },
    ).scalar_one()
    rows = [
        {
            "uuid": new_id(),
            "outlet_id": outlet.id,
            "sale_id": sale_id,
            "line_no": number,
            "product_id": ln.product_id,
            "investor_id": ln.investor_id,
            "agreement_version_id": ln.agreement_version_id,
            "name": ln.name,
            "unit": ln.unit,
            "original_line_id": ln.original_line_id,
            **_figures(ln.price),
        }
        for number, ln in enumerate(lines, start=1)
    ]
    connection.execute(_INSERT_LINES, rows)
    payments = [
        {
            "uuid": new_id(),
            "outlet_id": outlet.id,
            "sale_id": sale_id,
            "method": t.method,
            "amount": t.amount,
            "reference": t.reference,
        }
        for t in tenders
        if t.amount
    ]
    if payments:
        connection.execute(_INSERT_PAYMENTS, payments)
    moves = {
        pid: -units
        for pid, units in stock_rules.taken_out([(ln.product_id, ln.price.quantity) for ln in lines]).items()
    }
    moved = ledger.post_many(
        outlet.id,
        moves,
        MovementKind.SALE if head.kind == SaleKind.SALE else MovementKind.REFUND,
        user_id=user_id,
        document_type=head.kind.value,
        document_uuid=head.uuid,
        note=head.reason[:255],
        flag=short,
        at=head.created_at,
    )
    product_uuids = {ln.product_id: ln.product for ln in lines}
    outbox.append(
        outlet.id,
        _EVENT_TYPE[head.kind],
        {
            "uuid": str(head.uuid),
            "idempotency_key": str(head.idempotency_key),
            "kind": head.kind.value,
            "receipt_no": head.receipt_no,
            "receipt_token": head.receipt_token,
            "business_date": head.business_date.isoformat(),
            "created_at": head.created_at.isoformat(),
            "shift": str(head.shift),
            "cashier": str(head.cashier),
            "original": _text(head.original),
            "reason": head.reason,
            "member": _text(head.member),
            **figures,
            "lines": [
                {
                    "uuid": str(row["uuid"]),
                    "product": str(ln.product),
                    "investor": str(ln.investor),
                    "agreement_version": _text(ln.agreement_version),
                    "original_line": _text(ln.original_line),
                    **{name: row[name] for name in LINE_FIGURES},
                }
                for row, ln in zip(rows, lines, strict=True)
            ],
            "payments": [
                {
                    "uuid": str(p["uuid"]),
                    "method": p["method"].value,
                    "amount": p["amount"],
                    "reference": p["reference"],
                }
                for p in payments
            ],
            "movements": [
                {
                    "uuid": str(m.uuid),
                    "product": str(product_uuids[m.product_id]),
                    "kind": m.kind.value,
                    "quantity": m.quantity,
                }
                for m in moved
            ],
        },
    )
    _rollup(outlet.id, head, figures, rows)
    if head.member_id is not None:
        purchases.add_sale(outlet.id, head.member_id, head.kind, head.business_date, figures["total"])
    return sale_id


def _figures(price: PricedLine) -> dict[str, int]:
    return {
        "quantity": price.quantity,
        "unit_price": price.unit_price,
        "gross": price.gross,
        "discount": price.line_discount + price.sale_discount,
        "net": price.net,
        "fee_bp": price.fee_bp,
        "fee": price.fee,
        "investor_share": price.investor_share,
    }


def _rollup(outlet_id: int, head: Head, figures: Mapping[str, int], rows: list[dict[str, Any]]) -> None:
    """Without a central server (all-in-one), reports read rollups this server keeps itself."""
    from flask import current_app

    if current_app.config.get("POS_ROLE") == "all":
        from pos.reports import rollups

        rollups.add(
            outlet_id,
            [{"kind": head.kind, "business_date": head.business_date, **figures}],
            [{**row, "day": head.business_date} for row in rows],
        )
