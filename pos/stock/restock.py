"""Restock requests: an outlet asks an investor for goods; the investor answers with a delivery."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from pos.core import audit, clock
from pos.core.clock import business_date
from pos.core.errors import Conflict, PosError
from pos.core.numbers import next_number
from pos.domain.quantity import MAX_STEPS
from pos.extensions import db
from pos.models import Investor, Outlet, Product, RestockLine, RestockRequest, RestockStatus, User
from pos.partnership import supply
from pos.sync import outbox

MAX_LINES = 200


@dataclass(frozen=True, slots=True)
class Wanted:
    quantity: int
    product_id: int | None = None
    description: str = ""


def create(outlet: Outlet, investor: Investor, lines: list[Wanted], user: User, note: str = "") -> RestockRequest:
    if investor.id not in supply.investor_ids_of(outlet.id):
        raise PosError(_("That investor does not supply this outlet."), 404)
    if not lines:
        raise PosError(_("Add at least one line to the request."))
    if len(lines) > MAX_LINES:
        raise PosError(_("A request can have at most %(n)d lines.", n=MAX_LINES))
    wanted_ids = {ln.product_id for ln in lines if ln.product_id is not None}
    query = db.select(Product.id, Product.investor_id).where(Product.id.in_(wanted_ids))
    owners = dict(db.session.execute(query).all())
    for line in lines:
        if not 0 < line.quantity <= MAX_STEPS:
            raise PosError(_("Quantities must be more than zero."))
        if line.product_id is None and not line.description.strip():
            raise PosError(_("Name the product or describe the goods wanted."))
        if line.product_id is not None and owners.get(line.product_id) != investor.id:
            raise PosError(_("Every product requested must belong to %(investor)s.", investor=investor.name))
    request = RestockRequest(
        number=next_number(RestockRequest, "PMT", outlet.code, business_date(outlet.timezone), outlet.id),
        outlet_id=outlet.id,
        investor_id=investor.id,
        note=note,
        requested_by_id=user.id,
        lines=[
            RestockLine(product_id=ln.product_id, description=ln.description.strip()[:160], quantity=ln.quantity)
            for ln in lines
        ],
    )
    db.session.add(request)
    db.session.flush()
    outbox.append(
        outlet.id,
        "restock.requested",
        {
            "request": str(request.uuid),
            "number": request.number,
            "investor": str(investor.uuid),
            "note": note,
            "requested_by": str(user.uuid),
            "requested_at": request.requested_at.isoformat(),
            "lines": [
                {
                    "product": str(line.product.uuid) if line.product else None,
                    "description": line.description,
                    "quantity": line.quantity,
                }
                for line in request.lines
            ],
        },
    )
    audit.record("restock", request.uuid, "requested", user, note)
    return request


def decline(request: RestockRequest, answer: str, user: User) -> None:
    if request.status != RestockStatus.OPEN:
        raise Conflict(_("This request has already been answered."))
    if not answer.strip():
        raise PosError(_("Tell the outlet why the request is declined."))
    request.status = RestockStatus.DECLINED
    request.answer = answer.strip()[:255]
    request.answered_at = clock.now()
    audit.record("restock", request.uuid, "declined", user, request.answer)
