"""Deliveries from an investor to an outlet, received once with a handover record (BAST)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from pos.core import audit, clock
from pos.core.clock import business_date
from pos.core.errors import Conflict, PosError
from pos.core.numbers import next_number
from pos.domain.quantity import MAX_STEPS
from pos.extensions import db
from pos.models import (
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    Investor,
    MovementKind,
    Outlet,
    Product,
    RestockRequest,
    RestockStatus,
    User,
)
from pos.partnership import supply
from pos.stock import ledger
from pos.sync import outbox

MAX_LINES = 500


@dataclass(frozen=True, slots=True)
class PlannedLine:
    product_id: int
    quantity: int
    batch: str = ""
    expiry_date: date | None = None


def create(
    investor: Investor,
    outlet: Outlet,
    expected_on: date,
    lines: list[PlannedLine],
    user: User,
    *,
    note: str = "",
    driver: str = "",
    request: RestockRequest | None = None,
) -> Delivery:
    today = business_date(outlet.timezone)
    if not supply.supplies(investor.id, outlet.id, max(expected_on, today)):
        raise PosError(_("You have no agreement in force with %(outlet)s.", outlet=outlet.name), 403)
    if expected_on < today:
        raise PosError(_("The expected date cannot be in the past."))
    if not lines:
        raise PosError(_("Add at least one product to the delivery."))
    if len(lines) > MAX_LINES:
        raise PosError(_("A delivery can have at most %(n)d lines.", n=MAX_LINES))
    products = {
        p.id: p for p in db.session.scalars(db.select(Product).where(Product.id.in_({ln.product_id for ln in lines})))
    }
    for line in lines:
        product = products.get(line.product_id)
        if product is None or product.investor_id != investor.id:
            raise PosError(_("A product on the delivery is not one of yours."), 404)
        if not 0 < line.quantity <= MAX_STEPS:
            raise PosError(_("Quantities must be more than zero."))
        if line.expiry_date is not None and line.expiry_date < today:
            raise PosError(_("%(name)s: the expiry date has already passed.", name=product.name))
        if product.tracks_expiry and line.expiry_date is None:
            raise PosError(_("%(name)s tracks expiry: enter the expiry date.", name=product.name))
    delivery = Delivery(
        number=next_number(Delivery, "KRM", f"{investor.code}-{outlet.code}", today, outlet.id),
        investor_id=investor.id,
        outlet_id=outlet.id,
        expected_on=expected_on,
        note=note,
        driver=driver,
        created_by_id=user.id,
        lines=[
            DeliveryLine(product_id=ln.product_id, quantity=ln.quantity, batch=ln.batch, expiry_date=ln.expiry_date)
            for ln in lines
        ],
    )
    db.session.add(delivery)
    db.session.flush()
    if request is not None:
        if request.status != RestockStatus.OPEN:
            raise Conflict(_("This request has already been answered."))
        request.status = RestockStatus.FULFILLED
        request.delivery_id = delivery.id
        request.answered_at = clock.now()
    audit.record("delivery", delivery.uuid, "sent", user, f"{len(lines)}")
    return delivery


def cancel(delivery: Delivery, user: User) -> None:
    if delivery.status != DeliveryStatus.SENT:
        raise Conflict(_("Only a delivery not yet received can be cancelled."))
    delivery.status = DeliveryStatus.CANCELLED
    delivery.cancelled_at = clock.now()
    audit.record("delivery", delivery.uuid, "cancelled", user)


@dataclass(frozen=True, slots=True)
class Received:
    line_id: int
    good: int
    damaged: int
    note: str = ""


def receive(delivery: Delivery, results: list[Received], user: User, note: str = "") -> None:
    """Record what arrived; the good units enter stock. A delivery is received once."""
    if delivery.status == DeliveryStatus.RECEIVED:
        raise Conflict(_("Delivery %(number)s has already been received.", number=delivery.number))
    if delivery.status != DeliveryStatus.SENT:
        raise Conflict(_("Delivery %(number)s was cancelled.", number=delivery.number))
    by_line = {r.line_id: r for r in results}
    if set(by_line) != {line.id for line in delivery.lines}:
        raise PosError(_("Enter what arrived for every line."))
    moves: dict[int, int] = defaultdict(int)
    for line in delivery.lines:
        result = by_line[line.id]
        if not (0 <= result.good <= MAX_STEPS and 0 <= result.damaged <= MAX_STEPS):
            raise PosError(_("Received quantities must be zero or more."))
        line.received = result.good
        line.damaged = result.damaged
        line.note = result.note[:255]
        if result.good:
            moves[line.product_id] += result.good
    delivery.status = DeliveryStatus.RECEIVED
    delivery.received_at = clock.now()
    delivery.received_by_id = user.id
    delivery.receipt_note = note
    moves = {pid: qty for pid, qty in moves.items() if qty}
    movements = []
    if moves:
        movements = ledger.post_many(
            delivery.outlet_id,
            moves,
            MovementKind.RECEIVE,
            user_id=user.id,
            document_type="delivery",
            document_uuid=delivery.uuid,
            note=delivery.number,
        )
    outbox.append(
        delivery.outlet_id,
        "delivery.received",
        {
            "delivery": str(delivery.uuid),
            "received_at": delivery.received_at.isoformat(),
            "received_by": str(user.uuid),
            "note": note,
            "lines": [
                {"line": line.id, "product": str(line.product.uuid), "good": line.received, "damaged": line.damaged}
                for line in delivery.lines
            ],
            "movements": ledger.describe(movements),
        },
    )
    audit.record("delivery", delivery.uuid, "received", user, note)
