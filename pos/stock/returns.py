"""Goods leaving the outlet's stock: returns to the investor (both sides confirm) and write-offs."""

from __future__ import annotations

from flask_babel import gettext as _

from pos.core import audit, clock
from pos.core.clock import business_date
from pos.core.errors import Conflict, PosError
from pos.core.numbers import next_number
from pos.domain.quantity import MAX_STEPS
from pos.extensions import db
from pos.models import (
    Investor,
    MovementKind,
    Outlet,
    Product,
    ReturnReason,
    ReturnStatus,
    StockReturn,
    StockReturnLine,
    User,
)
from pos.partnership import supply
from pos.stock import ledger
from pos.sync import outbox

MAX_LINES = 500


def _check_available(outlet: Outlet, wanted: dict[int, int], products: dict[int, Product]) -> None:
    on_hand = ledger.on_hand_many(outlet.id, list(wanted))
    for product_id, quantity in wanted.items():
        if not 0 < quantity <= MAX_STEPS:
            raise PosError(_("Quantities must be more than zero."))
        if quantity > on_hand.get(product_id, 0):
            raise PosError(
                _(
                    "%(name)s: only %(n)d on hand, cannot take out %(q)d.",
                    name=products[product_id].name,
                    n=on_hand.get(product_id, 0),
                    q=quantity,
                )
            )


def create_return(
    outlet: Outlet, investor: Investor, reason: ReturnReason, lines: dict[int, int], user: User, note: str = ""
) -> StockReturn:
    """The outlet hands goods back to their investor: they leave stock now; the investor confirms receipt."""
    if investor.id not in supply.investor_ids_of(outlet.id):
        raise PosError(_("That investor does not supply this outlet."), 404)
    if not lines:
        raise PosError(_("Add at least one product to return."))
    if len(lines) > MAX_LINES:
        raise PosError(_("A return can have at most %(n)d lines.", n=MAX_LINES))
    products = {p.id: p for p in db.session.scalars(db.select(Product).where(Product.id.in_(lines)))}
    if any(products.get(pid) is None or products[pid].investor_id != investor.id for pid in lines):
        raise PosError(_("Every product returned must belong to %(investor)s.", investor=investor.name))
    _check_available(outlet, lines, products)
    document = StockReturn(
        number=next_number(StockReturn, "RTR", outlet.code, business_date(outlet.timezone), outlet.id),
        outlet_id=outlet.id,
        investor_id=investor.id,
        reason=reason,
        note=note,
        sent_by_id=user.id,
        lines=[StockReturnLine(product_id=pid, quantity=qty) for pid, qty in lines.items()],
    )
    db.session.add(document)
    db.session.flush()
    movements = ledger.post_many(
        outlet.id,
        {pid: -qty for pid, qty in lines.items()},
        MovementKind.RETURN,
        user_id=user.id,
        document_type="stock_return",
        document_uuid=document.uuid,
        note=f"{document.number} {note or ''}".strip()[:255],  # the reason is the document's, shown in words
    )
    outbox.append(
        outlet.id,
        "stock_return.sent",
        {
            "return": str(document.uuid),
            "number": document.number,
            "investor": str(investor.uuid),
            "reason": str(reason),
            "note": note,
            "sent_by": str(user.uuid),
            "sent_at": document.sent_at.isoformat(),
            "movements": ledger.describe(movements),
        },
    )
    audit.record("stock_return", document.uuid, "sent", user, note)
    return document


def confirm_return(document: StockReturn, user: User) -> None:
    if document.status == ReturnStatus.RECEIVED:
        raise Conflict(_("Return %(number)s has already been confirmed.", number=document.number))
    document.status = ReturnStatus.RECEIVED
    document.received_at = clock.now()
    document.received_by_id = user.id
    audit.record("stock_return", document.uuid, "received", user)


def write_off(outlet: Outlet, product: Product, quantity: int, reason: str, user: User) -> None:
    """Goods that can be neither sold nor returned (spoiled, broken, stolen) leave stock with a reason."""
    if product.investor_id not in supply.investor_ids_of(outlet.id):
        raise PosError(_("That product is not sold at this outlet."), 404)
    if not reason.strip():
        raise PosError(_("Give the reason for the write-off."))
    _check_available(outlet, {product.id: quantity}, {product.id: product})
    movements = ledger.post_many(
        outlet.id,
        {product.id: -quantity},
        MovementKind.WRITE_OFF,
        user_id=user.id,
        document_type="write_off",
        document_uuid=None,
        note=reason.strip()[:255],
    )
    outbox.append(
        outlet.id,
        "stock.written_off",
        {"reason": reason.strip()[:255], "by": str(user.uuid), "movements": ledger.describe(movements)},
    )
