"""What a new outlet still needs before it sells and syncs: read from what exists, never stored."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func

from pos.extensions import db
from pos.models import (
    Agreement,
    Delivery,
    DeliveryStatus,
    Outlet,
    OutletSyncState,
    OutletToken,
    Product,
    Register,
    Role,
    StaffMember,
    User,
    agreement_outlet,
)


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    label: object
    done: bool
    detail: str = ""
    endpoint: str | None = None  # where it is done


def _count(query: object) -> int:
    return int(db.session.scalar(query) or 0)  # type: ignore[arg-type]


def steps(outlet: Outlet, *, syncing: bool) -> list[Step]:
    """The steps in the order they are done; the two sync steps only where outlet nodes sync to this server."""
    supplied_by = (
        db.select(Agreement.investor_id)
        .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
        .where(agreement_outlet.c.outlet_id == outlet.id)
    )
    agreements = _count(db.select(func.count()).select_from(supplied_by.subquery()))
    products = _count(
        db.select(func.count(Product.id)).where(Product.investor_id.in_(supplied_by), Product.active.is_(True))
    )
    registers = _count(db.select(func.count(Register.id)).where(Register.outlet_id == outlet.id))
    received = _count(
        db.select(func.count(Delivery.id)).where(
            Delivery.outlet_id == outlet.id, Delivery.status == DeliveryStatus.RECEIVED
        )
    )
    people = {
        role: _count(
            db.select(func.count(User.id)).where(
                User.outlet_id == outlet.id, User.role == role, User.active.is_(True), User.pin_hash.is_not(None)
            )
        )
        for role in (Role.CASHIER, Role.MANAGER)
    }
    staff = _count(db.select(func.count(StaffMember.id)).where(StaffMember.outlet_id == outlet.id))
    token = db.session.scalar(
        db.select(exists().where(OutletToken.outlet_id == outlet.id, OutletToken.revoked_at.is_(None)))
    )
    seen = db.session.scalar(db.select(OutletSyncState.last_seen_at).where(OutletSyncState.outlet_id == outlet.id))
    found = [
        Step("register", _l("A register"), registers > 0, str(registers), "onboarding.outlet_detail"),
        Step("agreement", _l("A partnership agreement"), agreements > 0, str(agreements), "partnership.agreement_new"),
        Step("products", _l("Products of its investors"), products > 0, str(products), "home.products"),
        Step(
            "manager",
            _l("An outlet manager with an approval PIN"),
            people[Role.MANAGER] > 0,
            str(people[Role.MANAGER]),
            "onboarding.user_new",
        ),
        Step(
            "cashier",
            _l("A cashier login with a PIN"),
            people[Role.CASHIER] > 0,
            str(people[Role.CASHIER]),
            "onboarding.user_new",
        ),
        Step("staff", _l("People in the staff register"), staff > 0, str(staff), "staff.staff_list"),
        Step("token", _l("A sync token for the outlet node"), bool(token), "", "sync.health"),
        Step("first_sync", _l("A first sync from the outlet node"), seen is not None, "", "sync.health"),
        Step("delivery", _l("A first delivery received"), received > 0, str(received), "stock.delivery_list"),
    ]
    return [step for step in found if syncing or step.key not in ("token", "first_sync")]
