"""Completing a sale, refunds and voids: one transaction each, exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import set_committed_value

from pos.core import clock
from pos.core.clock import business_date
from pos.domain.cash import TenderError, tender
from pos.domain.ids import new_id
from pos.domain.pricing import prorate
from pos.domain.qris import MAX_QRIS_AMOUNT
from pos.domain.sync import LINE_FIGURES
from pos.domain.units import unit
from pos.extensions import db
from pos.models import (
    AgreementVersion,
    Cart,
    MovementKind,
    Outlet,
    Payment,
    PaymentMethod,
    ReceiptSequence,
    Sale,
    SaleKind,
    SaleLine,
    Shift,
    User,
)
from pos.services import agreements, outbox, prepared, stock, upsert
from pos.services import auth as auth_service
from pos.services.errors import Conflict, PosError
from pos.services.shifts import require_open


@dataclass(frozen=True, slots=True)
class PaymentInput:
    cash: int = 0
    qris: int = 0
    transfer: int = 0
    transfer_reference: str = ""
    qris_confirmed: bool = False


@prepared.per_dialect
def _take_receipt_no() -> Any:
    table = ReceiptSequence.__table__
    stmt = upsert.insert(table).values(outlet_id=bindparam("outlet"), business_date=bindparam("day"), last_no=1)
    return stmt.on_conflict_do_update(
        index_elements=["outlet_id", "business_date"], set_={"last_no": table.c.last_no + 1}
    ).returning(table.c.last_no)


def next_receipt_no(outlet: Outlet, day: Any) -> str:
    """The outlet's next receipt number for the day: one upsert that returns the number it took."""
    number = db.session.connection().execute(_take_receipt_no(), {"outlet": outlet.id, "day": day}).scalar_one()
    return f"{outlet.code}-{day:%Y%m%d}-{number:04d}"


_SALE_BY_KEY = db.select(Sale).where(Sale.idempotency_key == bindparam("key"))
_INSERT_SALE = db.insert(Sale.__table__).returning(Sale.__table__.c.id)
_INSERT_LINES = db.insert(SaleLine.__table__)
_INSERT_PAYMENTS = db.insert(Payment.__table__)
_CLOSE_CART = db.update(Cart.__table__).where(Cart.id == bindparam("cart")).values(closed=True)


def sale_by_key(key: uuid.UUID) -> Sale | None:
    return db.session.scalar(_SALE_BY_KEY, {"key": key})


def _rollup(outlet_id: int, head: Mapping[str, Any], lines: list[Mapping[str, Any]]) -> None:
    """Without a central server (all-in-one), reports read rollups this server keeps itself."""
    from flask import current_app

    if current_app.config.get("POS_ROLE") == "all":
        from pos.services import rollups

        rollups.add(outlet_id, [head], [{**line, "day": head["business_date"]} for line in lines])


def _moves(movements: list[Any], product_uuids: dict[int, uuid.UUID]) -> list[dict[str, Any]]:
    return [
        {"uuid": str(m.uuid), "product": str(product_uuids[m.product_id]), "kind": m.kind.value, "quantity": m.quantity}
        for m in movements
    ]


SALE_FIELDS = ("subtotal", "discount", "total", "fee", "investor_share", "paid", "change", "reason")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _sale_event(
    head: Mapping[str, Any],
    lines: list[Mapping[str, Any]],
    payments: list[Mapping[str, Any]],
    movements: list[dict[str, Any]],
) -> dict[str, Any]:
    """The sale as it travels to central: every record with the UUID it was born with. ``head`` carries the
    shift, cashier and original sale as UUIDs; each line its product, investor, agreement version and original."""
    return {
        "uuid": str(head["uuid"]),
        "idempotency_key": str(head["idempotency_key"]),
        "kind": SaleKind(head["kind"]).value,
        "receipt_no": head["receipt_no"],
        "business_date": head["business_date"].isoformat(),
        "created_at": head["created_at"].isoformat(),
        "shift": str(head["shift"]),
        "cashier": str(head["cashier"]),
        "original": _text(head.get("original")),
        **{name: head[name] for name in SALE_FIELDS},
        "lines": [
            {
                "uuid": str(line["uuid"]),
                "product": str(line["product"]),
                "investor": str(line["investor"]),
                "agreement_version": _text(line.get("agreement_version")),
                "original_line": _text(line.get("original_line")),
                **{name: line[name] for name in LINE_FIGURES},
            }
            for line in lines
        ],
        "payments": [
            {
                "uuid": str(p["uuid"]),
                "method": PaymentMethod(p["method"]).value,
                "amount": p["amount"],
                "reference": p["reference"],
            }
            for p in payments
        ],
        "movements": movements,
    }


def complete(cart: Cart, revision: int, key: uuid.UUID, pay: PaymentInput, cashier: User) -> uuid.UUID:
    """Turn the cart into a sale and return the sale's UUID. The same key always yields the same, single sale."""
    if cart.uuid != key or cart.closed:
        # A repeated payment (double tap, retry, a second tablet): the sale this key made, if any.
        # An open cart's own key cannot have made a sale yet: paying closes the cart in the same transaction.
        existing = sale_by_key(key)
        if existing is not None:
            return existing.uuid
        if cart.uuid != key:
            raise Conflict(_l("This payment does not belong to the current cart. Reload the page."))
        raise Conflict(_l("This cart was already paid."))
    shift = require_open(cart.shift)
    if shift.cashier_id != cashier.id:
        raise PosError(_l("This cart belongs to another cashier's shift."), 403)
    if revision != cart.revision:
        raise Conflict(_l("The cart changed while you were paying. Check the total and pay again."))
    if not cart.lines:
        raise PosError(_l("The cart is empty."))
    outlet = shift.outlet
    day = business_date(outlet.timezone)

    from pos.services.cart import priced

    book = agreements.RateBook(outlet.id, day)
    rates = []
    for line in cart.lines:
        rate = book.rate(line.product.investor_id, line.product.category_id)
        if rate is None:
            raise PosError(
                _l(
                    "%(name)s cannot be sold: there is no partnership agreement in force for "
                    "%(investor)s at this outlet today.",
                    name=line.product.name,
                    investor=line.product.investor.name,
                )
            )
        rates.append(rate)
    pricing = priced(cart, [rate.fee_bp for rate in rates])  # the sale rule, once, with the rates in force
    try:
        paid = tender(pricing.total, pay.cash, pay.qris, pay.transfer)
    except TenderError as exc:
        if pay.qris + pay.transfer > pricing.total:
            raise PosError(_l("QRIS and transfer together cannot be more than the total.")) from exc
        raise PosError(_l("The payment is less than the total.")) from exc
    if paid.qris > MAX_QRIS_AMOUNT:
        raise PosError(_l("QRIS allows at most Rp10.000.000 per transaction."))
    if paid.qris and not pay.qris_confirmed:
        raise PosError(_l("Confirm that the QRIS payment arrived before completing the sale."))
    if paid.transfer and not pay.transfer_reference.strip():
        raise PosError(_l("Enter the transfer reference."))

    sale_uuid = new_id()
    receipt_no = next_receipt_no(outlet, day)
    lines: list[dict[str, Any]] = []
    wanted: dict[int, int] = {}
    product_uuids: dict[int, uuid.UUID] = {}
    for number, (line, rate, price) in enumerate(zip(cart.lines, rates, pricing.lines, strict=True), start=1):
        product = line.product
        product_uuids[product.id] = product.uuid
        lines.append(
            {
                "uuid": new_id(),
                "line_no": number,
                "product_id": product.id,
                "investor_id": product.investor_id,
                "agreement_version_id": rate.version_id,
                "name": product.name,
                "unit": product.unit,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "gross": price.gross,
                "discount": price.line_discount + price.sale_discount,
                "net": price.net,
                "fee_bp": price.fee_bp,
                "fee": price.fee,
                "investor_share": price.investor_share,
                "original_line_id": None,
                "product": product.uuid,
                "investor": product.investor.uuid,
                "agreement_version": rate.version_uuid,
            }
        )
        wanted[product.id] = wanted.get(product.id, 0) + line.quantity
    on_hand = stock.on_hand_many(outlet.id, list(wanted))
    short = frozenset(pid for pid, quantity in wanted.items() if quantity > on_hand.get(pid, 0))
    if short and not outlet.allow_negative_stock:
        name = next(ln.product.name for ln in cart.lines if ln.product_id in short)
        raise PosError(_l("Not enough %(name)s in stock.", name=name))
    head: dict[str, Any] = {
        "uuid": sale_uuid,
        "outlet_id": outlet.id,
        "shift_id": shift.id,
        "cashier_id": cashier.id,
        "kind": SaleKind.SALE,
        "receipt_no": receipt_no,
        "idempotency_key": key,
        "business_date": day,
        "created_at": clock.now(),
        "subtotal": pricing.subtotal,
        "discount": pricing.discount,
        "total": pricing.total,
        "fee": pricing.fee,
        "investor_share": pricing.investor_share,
        "paid": paid.paid,
        "change": paid.change,
        "reason": "",
        "shift": shift.uuid,
        "cashier": cashier.uuid,
    }
    payments = [
        {"uuid": new_id(), "method": method, "amount": amount, "reference": reference}
        for method, amount, reference in (
            (PaymentMethod.CASH, paid.cash, ""),
            (PaymentMethod.QRIS, paid.qris, receipt_no),
            (PaymentMethod.TRANSFER, paid.transfer, pay.transfer_reference.strip()[:80]),
        )
        if amount
    ]
    # Plain Core inserts on the session's connection (no unit of work): nothing of the ORM's is pending here.
    connection = db.session.connection()
    sale_id = connection.execute(
        _INSERT_SALE, {k: v for k, v in head.items() if k not in ("shift", "cashier")}
    ).scalar_one()
    connection.execute(
        _INSERT_LINES,
        [
            {k: v for k, v in ln.items() if k not in ("product", "investor", "agreement_version")}
            | {"sale_id": sale_id}
            for ln in lines
        ],
    )
    connection.execute(_INSERT_PAYMENTS, [p | {"sale_id": sale_id} for p in payments])
    movements = stock.post_many(
        outlet.id,
        {pid: -quantity for pid, quantity in wanted.items()},
        MovementKind.SALE,
        user_id=cashier.id,
        document_type="sale",
        document_uuid=sale_uuid,
        flag=short,
    )
    connection.execute(_CLOSE_CART, {"cart": cart.id})
    set_committed_value(cart, "closed", True)
    outbox.append(outlet.id, "sale.completed", _sale_event(head, lines, payments, _moves(movements, product_uuids)))
    _rollup(outlet.id, head, lines)
    return sale_uuid


def refundable(sale: Sale) -> dict[int, int]:
    """Quantity of each original line that has not been refunded yet."""
    left = {line.id: line.quantity for line in sale.lines}
    for other in db.session.scalars(db.select(Sale).where(Sale.original_id == sale.id)):
        for line in other.lines:
            if line.original_line_id in left:
                left[line.original_line_id] += line.quantity  # refund quantities are negative
    return left


def reverse(
    sale: Sale,
    quantities: Mapping[int, int],
    *,
    kind: SaleKind,
    reason: str,
    manager_pin: str,
    user: User,
    shift: Shift | None,
    key: uuid.UUID,
    policy: auth_service.Policy,
) -> Sale:
    """A refund (some lines) or a void (the whole last sale): a new, negative sale."""
    existing = sale_by_key(key)
    if existing is not None:
        return existing
    if sale.kind != SaleKind.SALE:
        raise PosError(_l("Only a sale can be refunded."))
    shift = require_open(shift)
    if shift.outlet_id != sale.outlet_id:
        raise PosError(_l("This sale belongs to another outlet."), 404)
    reason = reason.strip()
    if not reason:
        raise PosError(_l("Give a reason."))
    left = refundable(sale)
    if kind == SaleKind.VOID:
        last = db.session.scalar(
            db.select(Sale.id).where(Sale.shift_id == sale.shift_id).order_by(Sale.id.desc()).limit(1)
        )
        if sale.shift_id != shift.id or last != sale.id:
            raise PosError(_l("Only the last sale of your current shift can be voided; refund it instead."))
        if any(left[line.id] != line.quantity for line in sale.lines):
            raise PosError(_l("Part of this sale was refunded already; refund the rest instead."))
        quantities = {line.id: line.quantity for line in sale.lines}
    chosen = {line_id: qty for line_id, qty in quantities.items() if qty}
    if not chosen:
        raise PosError(_l("Choose what to refund."))
    for line_id, qty in chosen.items():
        if line_id not in left:
            raise PosError(_l("That line is not part of this sale."))
        if qty < 0 or qty > left[line_id]:
            raise PosError(_l("You cannot refund more than was sold and not yet refunded."))
    if not manager_pin:
        raise PosError(_l("A refund or void needs the manager's PIN."), 403)
    approver = auth_service.verify_manager_pin(sale.outlet_id, manager_pin, policy)
    if approver is None:
        raise PosError(_l("The manager PIN is wrong."), 403)
    outlet = shift.outlet
    day = business_date(outlet.timezone)
    refund = Sale(
        uuid=new_id(),
        outlet_id=outlet.id,
        shift=shift,
        cashier=user,
        kind=kind,
        receipt_no=next_receipt_no(outlet, day),
        idempotency_key=key,
        business_date=day,
        subtotal=0,
        discount=0,
        total=0,
        fee=0,
        investor_share=0,
        paid=0,
        change=0,
        original=sale,
        reason=reason[:255],
        approved_by=approver,
    )
    number = 0
    refund_moves: list[tuple[uuid.UUID, Any]] = []
    for line in sale.lines:
        qty = chosen.get(line.id, 0)
        if not qty:
            continue
        number += 1
        if qty == line.quantity and left[line.id] == line.quantity:
            gross, discount, net, fee = line.gross, line.discount, line.net, line.fee
        else:
            # Part of a line: take the remainder of what is left, so the pieces sum to the line.
            refunded_before = line.quantity - left[line.id]
            gross = prorate(line.gross, line.quantity, refunded_before, qty)
            discount = prorate(line.discount, line.quantity, refunded_before, qty)
            net = gross - discount
            fee = prorate(line.fee, line.quantity, refunded_before, qty)
        refund.lines.append(
            SaleLine(
                line_no=number,
                product_id=line.product_id,
                investor_id=line.investor_id,
                agreement_version_id=line.agreement_version_id,
                name=line.name,
                unit=line.unit,
                quantity=-qty,
                unit_price=line.unit_price,
                gross=-gross,
                discount=-discount,
                net=-net,
                fee_bp=line.fee_bp,
                fee=-fee,
                investor_share=-(net - fee),
                original_line_id=line.id,
            )
        )
        refund_moves.append(
            (
                line.product.uuid,
                stock.post(
                    outlet.id,
                    line.product_id,
                    MovementKind.REFUND,
                    qty,
                    user_id=user.id,
                    document_type=kind.value,
                    document_uuid=refund.uuid,
                    note=reason[:255],
                ),
            )
        )
    refund.subtotal = sum(ln.gross for ln in refund.lines)
    refund.discount = sum(ln.discount for ln in refund.lines)
    refund.total = sum(ln.net for ln in refund.lines)
    refund.fee = sum(ln.fee for ln in refund.lines)
    refund.investor_share = sum(ln.investor_share for ln in refund.lines)
    refund.payments.append(Payment(method=PaymentMethod.CASH, amount=refund.total, reference=sale.receipt_no))
    refund.paid = refund.total
    db.session.add(refund)
    db.session.flush()
    version_ids = {ln.agreement_version_id for ln in refund.lines}
    versions = dict(
        db.session.execute(
            db.select(AgreementVersion.id, AgreementVersion.uuid).where(AgreementVersion.id.in_(version_ids))
        ).all()
    )
    moves = [
        {"uuid": str(m.uuid), "product": str(product_uuid), "kind": m.kind.value, "quantity": m.quantity}
        for product_uuid, m in refund_moves
    ]
    originals = {line.id: line.uuid for line in sale.lines}
    head = {
        **{name: getattr(refund, name) for name in (*SALE_FIELDS, "uuid", "idempotency_key", "kind", "receipt_no")},
        **{"business_date": refund.business_date, "created_at": refund.created_at},
        **{"shift": shift.uuid, "cashier": user.uuid, "original": sale.uuid},
    }
    rows = [
        {
            **{name: getattr(ln, name) for name in (*LINE_FIGURES, "uuid", "product_id", "investor_id")},
            "product": ln.product.uuid,
            "investor": ln.investor.uuid,
            "agreement_version": versions.get(ln.agreement_version_id),
            "original_line": originals.get(ln.original_line_id),
        }
        for ln in refund.lines
    ]
    payments = [
        {"uuid": p.uuid, "method": p.method, "amount": p.amount, "reference": p.reference} for p in refund.payments
    ]
    outbox.append(outlet.id, f"sale.{kind.value}", _sale_event(head, rows, payments, moves))
    _rollup(outlet.id, head, rows)
    return refund


def line_units(sale: Sale) -> dict[int, str]:
    return {line.id: unit(line.unit).step_label for line in sale.lines}
