"""Sales recorded on a chosen day: the demo's history and tests (the cashier flow always sells now)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from pos.core import clock
from pos.domain.ids import new_id
from pos.domain.pricing import LineInput, price_sale
from pos.domain.units import unit
from pos.extensions import db
from pos.models import (
    MovementKind,
    Outlet,
    Payment,
    PaymentMethod,
    Product,
    Register,
    Sale,
    SaleKind,
    SaleLine,
    Shift,
    ShiftStatus,
    User,
)
from pos.services import agreements, stock


def _rollup(sale: Sale) -> None:
    """Reports read rollups; an outlet node keeps none (central does)."""
    from flask import current_app

    from pos.services import rollups

    if current_app.config.get("POS_ROLE") != "outlet":
        rollups.add_sale(sale)


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


def sale_on(outlet: Outlet, day: date, items: list[tuple[Product, int]], at: time = time(12, 0)) -> Sale:
    """A completed cash sale on ``day`` at local time ``at``, priced with the agreement in force."""
    shift = _shift(outlet)
    book = agreements.RateBook(outlet.id, day)
    moment = datetime.combine(day, at, ZoneInfo(outlet.timezone)).astimezone(UTC)
    count = db.session.query(Sale).count()
    sale = Sale(
        uuid=new_id(),
        outlet_id=outlet.id,
        shift=shift,
        cashier_id=shift.cashier_id,
        kind=SaleKind.SALE,
        receipt_no=f"{outlet.code}-{day:%Y%m%d}-H{count + 1:05d}",
        idempotency_key=new_id(),
        business_date=day,
        created_at=moment,
        subtotal=0,
        discount=0,
        total=0,
        fee=0,
        investor_share=0,
        paid=0,
        change=0,
    )
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
    for number, ((product, quantity), rate, line) in enumerate(zip(items, rates, priced.lines, strict=True), start=1):
        sale.lines.append(
            SaleLine(
                line_no=number,
                product=product,
                investor_id=product.investor_id,
                agreement_version_id=rate.version_id,
                name=product.name,
                unit=product.unit,
                quantity=quantity,
                unit_price=product.price,
                gross=line.gross,
                discount=line.line_discount + line.sale_discount,
                net=line.net,
                fee_bp=line.fee_bp,
                fee=line.fee,
                investor_share=line.investor_share,
            )
        )
        movement = stock.post(
            outlet.id, product.id, MovementKind.SALE, -quantity, document_type="sale", document_uuid=sale.uuid
        )
        movement.created_at = moment
    sale.total, sale.fee, sale.investor_share = priced.total, priced.fee, priced.investor_share
    sale.payments.append(Payment(method=PaymentMethod.CASH, amount=priced.total, reference=""))
    sale.subtotal = sale.paid = sale.total
    db.session.add(sale)
    db.session.flush()
    _rollup(sale)
    return sale


def refund_on(original: Sale, day: date, line_no: int = 1) -> Sale:
    """A refund of a whole line of ``original`` on ``day``."""
    line = next(ln for ln in original.lines if ln.line_no == line_no)
    count = db.session.query(Sale).count()
    refund = Sale(
        uuid=new_id(),
        outlet_id=original.outlet_id,
        shift=original.shift,
        cashier_id=original.cashier_id,
        kind=SaleKind.REFUND,
        receipt_no=f"{original.receipt_no}-R{count + 1:05d}",
        idempotency_key=new_id(),
        business_date=day,
        created_at=datetime.combine(day, time(12), ZoneInfo(original.outlet.timezone)).astimezone(UTC),
        subtotal=-line.net,
        discount=0,
        total=-line.net,
        fee=-line.fee,
        investor_share=-line.investor_share,
        paid=-line.net,
        change=0,
        original=original,
        reason="test",
    )
    refund.lines.append(
        SaleLine(
            line_no=1,
            product_id=line.product_id,
            investor_id=line.investor_id,
            agreement_version_id=line.agreement_version_id,
            name=line.name,
            unit=line.unit,
            quantity=-line.quantity,
            unit_price=line.unit_price,
            gross=-line.gross,
            discount=0,
            net=-line.net,
            fee_bp=line.fee_bp,
            fee=-line.fee,
            investor_share=-line.investor_share,
            original_line_id=line.id,
        )
    )
    refund.payments.append(Payment(method=PaymentMethod.CASH, amount=-line.net, reference=original.receipt_no))
    db.session.add(refund)
    db.session.flush()
    movement = stock.post(
        original.outlet_id,
        line.product_id,
        MovementKind.REFUND,
        line.quantity,
        document_type="refund",
        document_uuid=refund.uuid,
    )
    movement.created_at = refund.created_at
    _rollup(refund)
    return refund
