"""Sales recorded on a chosen day: the demo's history and tests (the cashier flow always sells now).

They are priced by the sale rule and written by the one writer of a sale's rows, as the till's are."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from pos.cashier import sales
from pos.cashier.checkout import refundable, sold_line
from pos.core import clock
from pos.domain.ids import new_id
from pos.domain.pricing import LineInput, price_sale, take_back
from pos.domain.units import unit
from pos.extensions import db
from pos.models import (
    AgreementVersion,
    Member,
    Outlet,
    PaymentMethod,
    Product,
    Register,
    Sale,
    SaleKind,
    Shift,
    ShiftStatus,
    User,
)
from pos.partnership import agreements


def _shift(outlet: Outlet) -> Shift:
    """A closed shift that holds the recorded history."""
    shift = db.session.scalar(
        db.select(Shift).where(Shift.outlet_id == outlet.id, Shift.status == ShiftStatus.CLOSED).limit(1)
    )
    if shift is None:
        cashier = db.session.scalar(db.select(User).where(User.outlet_id == outlet.id).limit(1))
        register = db.session.scalar(db.select(Register).where(Register.outlet_id == outlet.id).limit(1))
        shift = Shift(
            outlet_id=outlet.id,
            register=register,
            cashier=cashier,
            opening_float=0,
            status=ShiftStatus.CLOSED,
            closed_at=clock.now(),
            closing_note="history",
        )
        db.session.add(shift)
        db.session.flush()
    return shift


def _moment(outlet: Outlet, day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZoneInfo(outlet.timezone)).astimezone(UTC)


def sale_on(
    outlet: Outlet, day: date, items: list[tuple[Product, int]], at: time = time(12, 0), member: Member | None = None
) -> Sale:
    """A completed cash sale on ``day`` at local time ``at`` (to ``member``, if named), priced with the agreement
    in force."""
    shift = _shift(outlet)
    book = agreements.RateBook(outlet.id, day)
    rates = []
    for product, _quantity in items:
        rate = book.rate(product.investor_id, product.category_id)
        assert rate is not None, f"no agreement for {product.name} on {day}"
        rates.append(rate)
    priced = price_sale(
        [
            LineInput(quantity, product.price, unit(product.unit).step_per_unit, 0, rate.fee_bp)
            for (product, quantity), rate in zip(items, rates, strict=True)
        ]
    )
    head = sales.Head(
        uuid=new_id(),
        kind=SaleKind.SALE,
        receipt_no=sales.next_receipt_no(outlet, day),
        idempotency_key=new_id(),
        business_date=day,
        created_at=_moment(outlet, day, at),
        shift_id=shift.id,
        shift=shift.uuid,
        cashier_id=shift.cashier_id,
        cashier=shift.cashier.uuid,
        member_id=member.id if member else None,
        member=member.uuid if member else None,
    )
    lines = [
        sales.Line.sold(product, rate.version_id, rate.version_uuid, price)
        for (product, _quantity), rate, price in zip(items, rates, priced.lines, strict=True)
    ]
    tenders = [sales.Tender(PaymentMethod.CASH, priced.total)]
    sale_id = sales.write(outlet, head, lines, tenders, paid=priced.total, user_id=shift.cashier_id)
    return db.session.get_one(Sale, (sale_id, outlet.id))


def refund_on(original: Sale, day: date, line_no: int = 1, quantity: int | None = None) -> Sale:
    """A refund on ``day`` of ``quantity`` units (default: all that is left) of line ``line_no`` of ``original``."""
    line = next(ln for ln in original.lines if ln.line_no == line_no)
    left = refundable(original)[line.id]
    units = left if quantity is None else quantity
    outlet = original.outlet
    version = db.session.get_one(AgreementVersion, line.agreement_version_id)
    head = sales.Head(
        uuid=new_id(),
        kind=SaleKind.REFUND,
        receipt_no=sales.next_receipt_no(outlet, day),
        idempotency_key=new_id(),
        business_date=day,
        created_at=_moment(outlet, day, time(12, 0)),
        shift_id=original.shift_id,
        shift=original.shift.uuid,
        cashier_id=original.cashier_id,
        cashier=original.cashier.uuid,
        original_id=original.id,
        original=original.uuid,
        reason="retur",
        member_id=original.member_id,
        member=original.member.uuid if original.member else None,
    )
    piece = sales.Line.taken_back(line, version.uuid, take_back(sold_line(line), line.quantity - left, units))
    tenders = [sales.Tender(PaymentMethod.CASH, piece.price.net, original.receipt_no)]
    refund_id = sales.write(outlet, head, [piece], tenders, paid=piece.price.net, user_id=original.cashier_id)
    return db.session.get_one(Sale, (refund_id, outlet.id))
