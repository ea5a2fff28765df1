"""Bringing a cooperative on board: cooperatives, outlets (each with its first register), registers, investors,
categories and the people who log in. Central is their system of record; the same operations serve the browser
and the command line, and every one is in the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import func

from pos.auth import accounts
from pos.core import audit, clock
from pos.core.errors import Conflict, PosError
from pos.extensions import db
from pos.models import Category, Cooperative, Investor, Outlet, Register, Role, User

CODE = re.compile(r"^[A-Z0-9](?:[A-Z0-9-]{0,18}[A-Z0-9])?$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")
FIRST_REGISTER = ("KASIR-1", "Kasir 1")
OUTLET_ROLES = (Role.CASHIER, Role.MANAGER)


def clean_code(code: str) -> str:
    """A code as stored: upper case, letters, digits and hyphens, 1 to 20 characters."""
    code = code.strip().upper()
    if not CODE.match(code):
        raise PosError(_("A code has 1 to 20 letters, digits or hyphens (not at either end), e.g. SRG-CPR."))
    return code


def _name(name: str, limit: int = 120) -> str:
    name = " ".join(name.split())
    if not name:
        raise PosError(_("Enter a name."))
    return name[:limit]


def _taken(model: type, code: str) -> None:
    if db.session.scalar(db.select(model.id).where(model.code == code)) is not None:  # type: ignore[attr-defined]
        raise Conflict(_("The code %(code)s is already used.", code=code))


def check_zone(timezone: str) -> str:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PosError(_("Unknown time zone %(zone)s.", zone=timezone)) from exc
    return timezone


@dataclass(frozen=True, slots=True)
class CooperativeData:
    code: str
    name: str
    region: str = ""
    address: str = ""
    chair_name: str = ""


def create_cooperative(data: CooperativeData, by: User | None) -> Cooperative:
    code = clean_code(data.code)
    _taken(Cooperative, code)
    coop = Cooperative(
        code=code,
        name=_name(data.name),
        region=data.region.strip()[:120],
        address=data.address.strip()[:255],
        chair_name=data.chair_name.strip()[:120],
    )
    db.session.add(coop)
    db.session.flush()
    audit.record("cooperative", coop.uuid, "created", by, f"{code} {coop.name}")
    return coop


@dataclass(frozen=True, slots=True)
class OutletData:
    code: str
    name: str
    cooperative_id: int
    address: str = ""
    timezone: str = "Asia/Jakarta"


def create_outlet(data: OutletData, by: User | None) -> Outlet:
    """A new outlet and its first register, so that a shift can be opened on it at once."""
    code = clean_code(data.code)
    _taken(Outlet, code)
    coop = db.session.get(Cooperative, data.cooperative_id)
    if coop is None:
        raise PosError(_("Choose the cooperative the outlet belongs to."))
    outlet = Outlet(
        code=code,
        name=_name(data.name),
        cooperative=coop,
        address=data.address.strip()[:255],
        timezone=check_zone(data.timezone),
    )
    db.session.add(outlet)
    db.session.flush()
    audit.record("outlet", outlet.uuid, "created", by, f"{code} {outlet.name} ({coop.code})")
    create_register(outlet, *FIRST_REGISTER, by=by)
    return outlet


def create_register(outlet: Outlet, code: str, name: str, by: User | None) -> Register:
    code = clean_code(code)
    taken = db.session.scalar(db.select(Register.id).where(Register.outlet_id == outlet.id, Register.code == code))
    if taken is not None:
        raise Conflict(_("The outlet already has a register %(code)s.", code=code))
    register = Register(outlet_id=outlet.id, code=code, name=_name(name, 60))
    db.session.add(register)
    db.session.flush()
    audit.record("outlet", outlet.uuid, "register_added", by, f"{code} {register.name}")
    return register


@dataclass(frozen=True, slots=True)
class InvestorData:
    code: str
    name: str
    contact_name: str = ""
    phone: str = ""
    address: str = ""


def create_investor(data: InvestorData, by: User | None) -> Investor:
    code = clean_code(data.code)
    _taken(Investor, code)
    investor = Investor(
        code=code,
        name=_name(data.name),
        contact_name=data.contact_name.strip()[:120],
        phone=data.phone.strip()[:40],
        address=data.address.strip()[:255],
    )
    db.session.add(investor)
    db.session.flush()
    audit.record("investor", investor.uuid, "created", by, f"{code} {investor.name}")
    return investor


def create_category(code: str, name: str, by: User | None) -> Category:
    code = clean_code(code)
    _taken(Category, code)
    name = _name(name)
    if db.session.scalar(db.select(Category.id).where(func.lower(Category.name) == name.lower())) is not None:
        raise Conflict(_("A category named %(name)s exists already.", name=name))
    category = Category(code=code, name=name)
    db.session.add(category)
    db.session.flush()
    audit.record("category", category.uuid, "created", by, f"{code} {name}")
    return category


@dataclass(frozen=True, slots=True)
class AccountData:
    username: str
    full_name: str
    role: Role
    outlet_id: int | None = None
    cooperative_id: int | None = None
    investor_id: int | None = None
    password: str | None = None
    pin: str | None = None


def clean_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise PosError(_("A username has 3 to 60 lower-case letters, digits, dots, hyphens or underscores."))
    return username


def check_secrets(role: Role, password: str | None, pin: str | None) -> None:
    if password is not None and len(password) < accounts.MIN_PASSWORD:
        raise PosError(_("A password has at least %(n)d characters.", n=accounts.MIN_PASSWORD))
    if pin is not None:
        if role not in OUTLET_ROLES:
            raise PosError(_("Only cashiers and outlet managers have a PIN."))
        try:
            accounts.check_pin_rules(pin)
        except ValueError as exc:
            raise PosError(_("A new PIN has 6 to 8 digits.")) from exc
    if not password and not pin:
        raise PosError(_("Give the account a password or a PIN."))
    if role not in OUTLET_ROLES and not password:
        raise PosError(_("This role signs in with a password."))


def create_user(data: AccountData, by: User | None) -> User:
    """A login of any role, tied to what the role works for: an outlet, a cooperative or an investor. Only an
    administrator makes administrators and central office accounts."""
    username = clean_username(data.username)
    if by is not None and by.role != Role.ADMIN and data.role in (Role.ADMIN, Role.CENTRAL):
        raise PosError(_("Only an administrator creates central office and administrator accounts."), 403)
    if db.session.scalar(db.select(User.id).where(User.username == username)) is not None:
        raise Conflict(_("The username %(name)s is already taken.", name=username))
    check_secrets(data.role, data.password or None, data.pin or None)
    user = User(username=username, full_name=_name(data.full_name), role=data.role, updated_at=clock.now())
    if data.role in OUTLET_ROLES:
        user.outlet = db.session.get(Outlet, data.outlet_id) if data.outlet_id else None
        if user.outlet is None:
            raise PosError(_("Choose the outlet this person works at."))
    elif data.role == Role.BOARD:
        user.cooperative = db.session.get(Cooperative, data.cooperative_id) if data.cooperative_id else None
        if user.cooperative is None:
            raise PosError(_("Choose the cooperative of this board member."))
    elif data.role == Role.INVESTOR:
        user.investor = db.session.get(Investor, data.investor_id) if data.investor_id else None
        if user.investor is None:
            raise PosError(_("Choose the investor this login is for."))
    if data.password:
        user.password_hash = accounts.hash_secret(data.password)
    if data.pin:
        user.pin_hash = accounts.hash_secret(data.pin)
    db.session.add(user)
    db.session.flush()
    audit.record("user", user.uuid, "created", by, f"{username} {data.role.value}")
    return user


def _may_manage(user: User, by: User) -> None:
    if user.role in (Role.ADMIN, Role.CENTRAL) and by.role != Role.ADMIN:
        raise PosError(_("Only an administrator changes central office and administrator accounts."), 403)


def set_active(user: User, active: bool, by: User) -> None:
    """A login switched off (it signs in no more, its sessions end at their next request) or on again."""
    _may_manage(user, by)
    if user.id == by.id:
        raise PosError(_("You cannot switch off your own login."), 403)
    user.active = active
    user.updated_at = clock.now()
    audit.record("user", user.uuid, "activated" if active else "deactivated", by, user.username)


def reset_secret(user: User, by: User) -> tuple[str, str]:
    """A new PIN for a cashier or manager, a new password for anyone else: random, shown once. Returns what was
    reset ("pin" or "password") and the new secret."""
    import secrets

    _may_manage(user, by)
    if user.role in OUTLET_ROLES:
        pin = accounts.give_new_pin(user)
        audit.record("user", user.uuid, "pin_reset", by, user.username)
        return "pin", pin
    secret = secrets.token_urlsafe(9)
    user.password_hash = accounts.hash_secret(secret)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = clock.now()
    audit.record("user", user.uuid, "password_reset", by, user.username)
    return "password", secret
