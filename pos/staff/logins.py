"""The till's logins, managed by the outlet's manager: cashier logins made from the staff register, PINs set and
reset (a new PIN is shown once), logins switched off, and the manager's own approval PIN.

They work offline on the outlet node: each change is audited, carries the time it was made and travels to central
as ``account.saved``; central checks it belongs to the outlet and keeps the newer copy (``apply``)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from pos.auth import accounts
from pos.core import audit, clock
from pos.core.errors import Conflict, PosError
from pos.domain.ids import new_id
from pos.extensions import db
from pos.models import Outlet, Role, StaffMember, User
from pos.sync import outbox

TILL_ROLES = (Role.CASHIER, Role.MANAGER)


def snapshot(user: User) -> dict[str, Any]:
    assert user.outlet is not None
    return {
        "uuid": str(user.uuid),
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role.value,
        "pin_hash": user.pin_hash,
        "active": user.active,
        "updated_at": (user.updated_at or clock.now()).isoformat(),
    }


def _changed(user: User, by: User, action: str, detail: str = "") -> None:
    user.updated_at = clock.now()
    db.session.flush()
    audit.record("user", user.uuid, action, by, detail or user.username)
    if current_app.config.get("POS_ROLE") == "outlet" and user.outlet_id is not None:
        outbox.append(user.outlet_id, "account.saved", snapshot(user))


def till_logins(outlet: Outlet) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.outlet_id == outlet.id, User.role.in_(TILL_ROLES))
            .order_by(User.active.desc(), User.role, User.full_name)
        )
    )


def login_of(outlet: Outlet, key: str) -> User:
    try:
        wanted = uuid.UUID(key)
    except ValueError as exc:
        raise PosError(_("No such login at this outlet."), 404) from exc
    user = db.session.scalar(
        db.select(User).where(User.uuid == wanted, User.outlet_id == outlet.id, User.role.in_(TILL_ROLES))
    )
    if user is None:
        raise PosError(_("No such login at this outlet."), 404)
    return user


def _username_for(name: str, outlet: Outlet) -> str:
    """A username no other outlet can take: the name's letters, then the outlet's code (made offline, it must
    not clash at central with a login made elsewhere)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]+", "", plain.split()[0] if plain.split() else "")[:20] or "kasir"
    base = f"{stem}.{outlet.code.lower()}"
    taken = set(db.session.scalars(db.select(User.username).where(User.username.like(f"{stem}%"))))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{stem}{n}.{outlet.code.lower()}", n + 1
    return candidate


def create_cashier(outlet: Outlet, member: StaffMember, by: User) -> tuple[User, str]:
    """A cashier login for a person in the staff register, with a new random PIN to hand over (shown once)."""
    if member.outlet_id != outlet.id:
        raise PosError(_("That person is not in this outlet's staff register."), 404)
    taken = db.session.scalar(
        db.select(User.id).where(
            User.outlet_id == outlet.id, User.role.in_(TILL_ROLES), User.full_name == member.full_name
        )
    )
    if taken is not None:
        raise Conflict(_("%(name)s already has a login at this outlet.", name=member.full_name))
    pin = accounts.new_pin()
    user = User(
        uuid=new_id(),
        username=_username_for(member.full_name, outlet),
        full_name=member.full_name,
        role=Role.CASHIER,
        outlet_id=outlet.id,
        pin_hash=accounts.hash_secret(pin),
    )
    db.session.add(user)
    db.session.flush()
    db.session.refresh(user, ["outlet"])
    _changed(user, by, "created", f"{user.username} cashier")
    return user, pin


def reset_pin(user: User, by: User) -> str:
    """A new random PIN for a cashier (the old one stops working); shown once."""
    if user.role != Role.CASHIER:
        raise PosError(_("A manager sets their own approval PIN."), 403)
    pin = accounts.give_new_pin(user)
    _changed(user, by, "pin_reset")
    return pin


def set_active(user: User, active: bool, by: User) -> None:
    if user.id == by.id:
        raise PosError(_("You cannot switch off your own login."), 403)
    if user.role != Role.CASHIER:
        raise PosError(_("Only the central office switches a manager's login off."), 403)
    user.active = active
    _changed(user, by, "activated" if active else "deactivated")


def set_own_pin(manager: User, password: str, pin: str) -> None:
    """The manager's approval PIN (voids, refunds, discounts, the drawer's difference), confirmed by password."""
    if manager.role != Role.MANAGER:
        raise PosError(_("Only an outlet manager has an approval PIN."), 403)
    if not manager.password_hash or not accounts.verify_secret(manager.password_hash, password):
        raise PosError(_("The password is not right."), 403)
    try:
        accounts.check_pin_rules(pin)
    except ValueError as exc:
        raise PosError(_("A new PIN has 6 to 8 digits.")) from exc
    manager.pin_hash = accounts.hash_secret(pin)
    _changed(manager, manager, "pin_set")


def apply(outlet: Outlet, data: dict[str, Any]) -> None:
    """Central: a login the outlet's node changed. The newer copy wins; an older one is ignored."""
    key = uuid.UUID(str(data["uuid"]))
    changed = datetime.fromisoformat(data["updated_at"])
    user = db.session.scalar(db.select(User).where(User.uuid == key))
    if user is not None and user.updated_at is not None and user.updated_at >= changed:
        return
    if user is None:
        user = User(uuid=key, username=data["username"], role=Role.CASHIER, outlet_id=outlet.id)
        db.session.add(user)
    user.full_name = str(data["full_name"])[:120]
    user.pin_hash = data.get("pin_hash")
    if user.role == Role.CASHIER:
        user.active = bool(data["active"])
    user.updated_at = changed
    db.session.flush()
