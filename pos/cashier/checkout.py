"""Completing a sale, refunds and voids: one transaction each, exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import set_committed_value

from pos.auth import accounts
from pos.cashier import sales
from pos.cashier.shifts import require_open
from pos.core import clock
from pos.core.clock import business_date
from pos.core.errors import Conflict, PosError
from pos.domain import stock as stock_rules
from pos.domain.cash import TenderError, rounding_for, tender
from pos.domain.ids import new_id
from pos.domain.pricing import SoldLine, take_back
from pos.domain.qris import MAX_QRIS_AMOUNT
from pos.extensions import db
from pos.models import AgreementVersion, Cart, Outlet, PaymentMethod, Sale, SaleKind, SaleLine, Shift, User
from pos.partnership import agreements
from pos.receipts import spool
from pos.stock import ledger


@dataclass(frozen=True, slots=True)
class PaymentInput:
    cash: int = 0
    qris: int = 0
    transfer: int = 0
    transfer_reference: str = ""
    qris_confirmed: bool = False


_SALE_BY_KEY = db.select(Sale).where(Sale.outlet_id == bindparam("outlet"), Sale.idempotency_key == bindparam("key"))
_CLOSE_CART = (
    db.update(Cart.__table__)
    .where(Cart.id == bindparam("cart"), Cart.outlet_id == bindparam("outlet"))
    .values(closed=True)
)


def qris_reference(outlet: Outlet, cart_uuid: uuid.UUID) -> str:
    """The reference a cart's dynamic QRIS code carries (tag 62.05): stored on the QRIS payment and printed on
    the receipt, so a payment seen in the merchant's app can be matched to its sale."""
    return f"{outlet.code}-{str(cart_uuid)[-8:]}"


def sale_by_key(outlet_id: int, key: uuid.UUID) -> Sale | None:
    return db.session.scalar(_SALE_BY_KEY, {"outlet": outlet_id, "key": key})


def complete(cart: Cart, revision: int, key: uuid.UUID, pay: PaymentInput, cashier: User) -> uuid.UUID:
    """Turn the cart into a sale and return the sale's UUID. The same key always yields the same, single sale."""
    if cart.uuid != key or cart.closed:
        # A repeated payment (double tap, retry, a second tablet): the sale this key made, if any.
        # An open cart's own key cannot have made a sale yet: paying closes the cart in the same transaction.
        existing = sale_by_key(cart.outlet_id, key)
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

    from pos.cashier.cart import priced

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
        paid = tender(pricing.total, pay.cash, pay.qris, pay.transfer, outlet.cash_rounding)
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

    wanted = stock_rules.taken_out([(line.product_id, line.quantity) for line in cart.lines])
    short = stock_rules.short(wanted, ledger.on_hand_many(outlet.id, list(wanted)))
    if short and not outlet.allow_negative_stock:
        name = next(ln.product.name for ln in cart.lines if ln.product_id in short)
        raise PosError(_l("Not enough %(name)s in stock.", name=name))
    receipt_no = sales.next_receipt_no(outlet, day)
    head = sales.Head(
        uuid=new_id(),
        kind=SaleKind.SALE,
        receipt_no=receipt_no,
        idempotency_key=key,
        business_date=day,
        created_at=clock.now(),
        shift_id=shift.id,
        shift=shift.uuid,
        cashier_id=cashier.id,
        cashier=cashier.uuid,
        member_id=cart.member_id,
        member=cart.member.uuid if cart.member else None,
    )
    lines = [
        sales.Line.sold(line.product, rate.version_id, rate.version_uuid, price)
        for line, rate, price in zip(cart.lines, rates, pricing.lines, strict=True)
    ]
    tenders = [
        sales.Tender(PaymentMethod.CASH, paid.cash),
        sales.Tender(PaymentMethod.QRIS, paid.qris, qris_reference(outlet, cart.uuid)),
        sales.Tender(PaymentMethod.TRANSFER, paid.transfer, pay.transfer_reference.strip()[:80]),
    ]
    sales.write(
        outlet,
        head,
        lines,
        tenders,
        paid=paid.paid,
        change=paid.change,
        rounding=paid.rounding,
        user_id=cashier.id,
        short=short,
    )
    db.session.execute(_CLOSE_CART, {"cart": cart.id, "outlet": cart.outlet_id})
    set_committed_value(cart, "closed", True)
    spool.print_sale(shift.register, head.uuid, head.receipt_token, cash=paid.cash > 0)
    return head.uuid


def sales_of(outlet: Outlet, text: str = "") -> list[Sale]:
    """The outlet's sales, refunds and voids whose receipt number contains ``text``, else today's; newest first."""
    query = db.select(Sale).where(Sale.outlet_id == outlet.id)
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Sale.receipt_no.ilike(f"%{escaped}%", escape="\\"))
    else:
        query = query.where(Sale.business_date == business_date(outlet.timezone))
    return list(db.session.scalars(query.order_by(Sale.id.desc()).limit(200)))


def last_sale_id(outlet_id: int, shift_id: int) -> int | None:
    """The shift's last sale, refund or void: only a sale that is the last may be voided."""
    query = (
        db.select(Sale.id)
        .where(Sale.outlet_id == outlet_id, Sale.shift_id == shift_id)
        .order_by(Sale.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def last_sale(shift: Shift) -> Sale | None:
    """The shift's last completed sale, to name on an empty register: after a payment whose answer was lost, the
    cashier sees that it was saved instead of charging again."""
    query = (
        db.select(Sale)
        .where(Sale.outlet_id == shift.outlet_id, Sale.shift_id == shift.id, Sale.kind == SaleKind.SALE)
        .order_by(Sale.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def reversals_of(sale: Sale) -> list[Sale]:
    return list(
        db.session.scalars(db.select(Sale).where(Sale.outlet_id == sale.outlet_id, Sale.original_id == sale.id))
    )


def refundable(sale: Sale) -> dict[int, int]:
    """Quantity of each original line that has not been refunded yet."""
    left = {line.id: line.quantity for line in sale.lines}
    for other in db.session.scalars(
        db.select(Sale).where(Sale.outlet_id == sale.outlet_id, Sale.original_id == sale.id)
    ):
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
    policy: accounts.Policy,
) -> Sale:
    """A refund (some lines) or a void (the whole last sale): a new, negative sale."""
    existing = sale_by_key(sale.outlet_id, key)
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
        if sale.shift_id != shift.id or last_sale_id(shift.outlet_id, shift.id) != sale.id:
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
    approver = accounts.approve(sale.outlet_id, manager_pin, policy, user)
    outlet = shift.outlet
    day = business_date(outlet.timezone)
    head = sales.Head(
        uuid=new_id(),
        kind=kind,
        receipt_no=sales.next_receipt_no(outlet, day),
        idempotency_key=key,
        business_date=day,
        created_at=clock.now(),
        shift_id=shift.id,
        shift=shift.uuid,
        cashier_id=user.id,
        cashier=user.uuid,
        original_id=sale.id,
        original=sale.uuid,
        reason=reason[:255],
        approved_by_id=approver.id,
        member_id=sale.member_id,
        member=sale.member.uuid if sale.member else None,
    )
    versions = dict(
        db.session.execute(
            db.select(AgreementVersion.id, AgreementVersion.uuid).where(
                AgreementVersion.id.in_({line.agreement_version_id for line in sale.lines})
            )
        ).all()
    )
    lines = [
        sales.Line.taken_back(
            line,
            versions.get(line.agreement_version_id),
            take_back(sold_line(line), line.quantity - left[line.id], chosen[line.id]),
        )
        for line in sale.lines
        if chosen.get(line.id)
    ]
    total = sum(ln.price.net for ln in lines)
    # A void gives back the sale's own rounding; a refund's cash is rounded as a sale's is, a half to the customer.
    rounding = -sale.rounding if kind == SaleKind.VOID else rounding_for(total, outlet.cash_rounding)
    tenders = [sales.Tender(PaymentMethod.CASH, total + rounding, sale.receipt_no)]
    refund_id = sales.write(outlet, head, lines, tenders, paid=total + rounding, rounding=rounding, user_id=user.id)
    spool.print_sale(shift.register, head.uuid, head.receipt_token, cash=total + rounding != 0)
    return db.session.get_one(Sale, (refund_id, outlet.id))


def sold_line(line: SaleLine) -> SoldLine:
    return SoldLine(line.quantity, line.unit_price, line.gross, line.discount, line.fee_bp, line.fee)
