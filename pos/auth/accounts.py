"""Passwords, PINs, account locks and server-side login sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from pos.core import audit, clock, write_turn
from pos.core.errors import PosError
from pos.core.transaction import keep
from pos.extensions import db
from pos.models import AuditEvent, LoginSession, Outlet, Role, User

# Argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): ~28 ms a hash on the 2-core test
# machine, 19 MiB while it runs, instead of the library's 64 MiB and 4 lanes (~140 ms, and 8 tills signing in at
# once would want 512 MiB of a small board). Hashes made with other settings still verify, and are remade with
# these at the next sign-in.
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_LANES = 2, 19_456, 1
_hasher = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES)


@cache
def _dummy_hash() -> str:
    """Checked against when there is no account, so that an unknown name takes as long as a wrong password
    (made on first use: not at every start of the node)."""
    return _hasher.hash("kmp-pos-timing-equaliser")


MIN_PASSWORD = 8
PIN_LENGTHS = range(4, 9)  # what a login accepts: 4-digit PINs of existing staff, where the outlet still allows
NEW_PIN_LENGTHS = range(6, 9)  # every PIN set from now on: a million tries, not ten thousand


class AuthError(Exception):
    """Login refused. ``locked_until`` is set when the account is locked."""

    def __init__(self, reason: str, locked_until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locked_until = locked_until


@dataclass(frozen=True, slots=True)
class Policy:
    max_failures: int = 5
    lock_minutes: int = 15
    session_hours: int = 12


def policy() -> Policy:
    """The sign-in rules this server is configured with."""
    from flask import current_app

    cfg = current_app.config
    return Policy(
        max_failures=cfg["POS_LOGIN_MAX_FAILURES"],
        lock_minutes=cfg["POS_LOGIN_LOCK_MINUTES"],
        session_hours=cfg["POS_SESSION_HOURS"],
    )


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password needs at least {MIN_PASSWORD} characters")


def check_pin_rules(pin: str) -> None:
    """A new PIN: 6 to 8 digits."""
    if not (pin.isascii() and pin.isdigit() and len(pin) in NEW_PIN_LENGTHS):
        raise ValueError("a new PIN has 6 to 8 digits")


def short_pin_refused(outlet_id: int, pin: str) -> bool:
    """A PIN of fewer than 6 digits works only where the outlet still allows its existing staff's short PINs."""
    if len(pin) >= NEW_PIN_LENGTHS.start:
        return False
    outlet = db.session.get(Outlet, outlet_id)
    return outlet is None or not outlet.allow_short_pins


def new_pin() -> str:
    """A random 6-digit PIN, shown once to whoever hands it over."""
    import secrets

    return f"{secrets.randbelow(10**6):06d}"


def give_new_pin(user: User) -> str:
    """A new random PIN for ``user`` (hashed; the old one stops working, the lock is lifted), returned once to
    hand over."""
    pin = new_pin()
    user.pin_hash = hash_secret(pin)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = clock.now()
    return pin


def _verify(stored: str | None, given: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy_hash(), given) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_secret(stored: str, given: str) -> bool:
    """Whether ``given`` is the password or PIN behind ``stored``."""
    return _verify(stored, given)


def _unlocked() -> None:
    """End the read that found the account, so that no lock is held while the secret is hashed (every till of
    the outlet would wait for it); the writes that follow start a transaction of their own."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("a sign-in hashes before it writes anything")
    db.session.rollback()


def _check(user: User | None, secret: str, kind: str, policy: Policy) -> User:
    now = clock.now()
    locked_until = user.locked_until if user is not None else None
    stored = None
    if user is not None and user.active:
        stored = user.password_hash if kind == "password" else user.pin_hash
    user_id = user.id if user is not None else None
    _unlocked()
    if locked_until is not None and locked_until > now:
        _verify(None, secret)
        raise AuthError("locked", locked_until)
    right = _verify(stored, secret)
    renewed = hash_secret(secret) if right and _hasher.check_needs_rehash(stored or "") else None
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is not None and stored != (user.password_hash if kind == "password" else user.pin_hash):
        right = False  # the secret was changed while this one was checked
    if right:
        assert user is not None
        user.failed_logins = 0
        user.locked_until = None
        if renewed and kind == "password":
            user.password_hash = renewed
        elif renewed:
            user.pin_hash = renewed
        return user
    if user is not None:
        record_failure(user, policy)
    raise AuthError("invalid")


def record_failure(user: User, policy: Policy) -> None:
    """Count a wrong password or PIN against ``user`` (committed even though the request is refused); the
    ``max_failures``-th in a row locks the account for ``lock_minutes``."""
    locks = user.failed_logins + 1 >= policy.max_failures
    user_id = user.id
    keep(lambda: _count_failure(user_id, policy))
    if locks:
        raise AuthError("locked", clock.now() + timedelta(minutes=policy.lock_minutes))


def _count_failure(user_id: int, policy: Policy) -> None:
    user = db.session.get_one(User, user_id, populate_existing=True)
    user.failed_logins += 1
    if user.failed_logins >= policy.max_failures:
        user.locked_until = clock.now() + timedelta(minutes=policy.lock_minutes)
        user.failed_logins = 0
    db.session.flush()


def login_with_password(username: str, password: str, policy: Policy) -> User:
    user = db.session.scalar(db.select(User).where(User.username == username.strip().lower()))
    return _check(user, password, "password", policy)


def login_with_pin(user_uuid: str, pin: str, outlet_id: int, policy: Policy) -> User:
    if short_pin_refused(outlet_id, pin):
        raise AuthError("short_pin")
    user = cashier_at(user_uuid, outlet_id)
    return _check(user, pin, "pin", policy)


def cashier_at(user_uuid: str, outlet_id: int) -> User | None:
    import uuid

    try:
        key = uuid.UUID(user_uuid)
    except ValueError:
        return None
    return db.session.scalar(
        db.select(User).where(
            User.uuid == key,
            User.outlet_id == outlet_id,
            User.role.in_([Role.CASHIER, Role.MANAGER]),
            User.pin_hash.is_not(None),
        )
    )


def pin_users(outlet_id: int) -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.outlet_id == outlet_id,
                User.active.is_(True),
                User.role.in_([Role.CASHIER, Role.MANAGER]),
                User.pin_hash.is_not(None),
            )
            .order_by(User.full_name)
        )
    )


APPROVAL_TRIES = 5
APPROVAL_WINDOW = timedelta(minutes=15)  # 5 wrong PINs within it lock approvals at the outlet for as long


def approvals_locked_until(outlet_id: int, now: datetime | None = None) -> datetime | None:
    """When an outlet's manager approvals open again, if wrong PINs have locked them."""
    now = now or clock.now()
    outlet_uuid = db.session.scalar(db.select(Outlet.uuid).where(Outlet.id == outlet_id))
    recent = list(
        db.session.scalars(
            db.select(AuditEvent.at)
            .where(
                AuditEvent.subject_type == "outlet",
                AuditEvent.subject_uuid == outlet_uuid,
                AuditEvent.action == "approval_failed",
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(APPROVAL_TRIES)
        )
    )
    if (
        len(recent) == APPROVAL_TRIES
        and recent[0] - recent[-1] <= APPROVAL_WINDOW
        and now < recent[0] + APPROVAL_WINDOW
    ):
        return recent[0] + APPROVAL_WINDOW
    return None


def verify_manager_pin(outlet_id: int, pin: str, policy: Policy, by: User | None = None) -> User | None:
    """The active manager of ``outlet_id`` whose PIN this is, or None. Wrong PINs are counted per outlet (in the
    audit trail, kept although the request is refused); the fifth within 15 minutes locks approvals there for
    15 minutes, whoever asks and on whichever tablet."""
    locked_until = approvals_locked_until(outlet_id)
    if locked_until is not None:
        raise AuthError("approvals_locked", locked_until)
    managers = db.session.execute(
        db.select(User.id, User.pin_hash).where(
            User.outlet_id == outlet_id,
            User.role == Role.MANAGER,
            User.active.is_(True),
            User.pin_hash.is_not(None),
        )
    ).all()
    write_turn.end_if_unwritten(db.session())  # no till waits on the write lock while the PIN is hashed
    for manager_id, pin_hash in managers:
        if _verify(pin_hash, pin):
            return db.session.get(User, manager_id)
    if not managers:
        _verify(None, pin)  # the same time whether or not the outlet has a manager
    by_id = by.id if by is not None else None
    keep(lambda: _approval_failed(outlet_id, by_id))
    return None


def approve(outlet_id: int, pin: str, policy: Policy, by: User | None = None) -> User:
    """The manager who approves with this PIN, or a refusal the cashier can read (wrong PIN, or locked)."""
    if short_pin_refused(outlet_id, pin):
        raise PosError(
            _l("PINs of 4 digits are no longer accepted here: the manager needs a new PIN of 6 digits."), 403
        )
    try:
        manager = verify_manager_pin(outlet_id, pin, policy, by)
    except AuthError as exc:
        assert exc.locked_until is not None
        outlet = db.session.get_one(Outlet, outlet_id)
        until = format_time(exc.locked_until.astimezone(ZoneInfo(outlet.timezone)).replace(tzinfo=None), "HH:mm")
        raise PosError(
            _l("Approvals are locked after 5 wrong manager PINs. Try again at %(time)s.", time=until), 429
        ) from exc
    if manager is None:
        raise PosError(_l("The manager PIN is wrong."), 403)
    return manager


def _approval_failed(outlet_id: int, by_id: int | None) -> None:
    outlet = db.session.get_one(Outlet, outlet_id)
    user = db.session.get(User, by_id) if by_id else None
    audit.record("outlet", outlet.uuid, "approval_failed", user, "wrong manager PIN")
    db.session.flush()
    until = approvals_locked_until(outlet_id)
    if until is not None:
        audit.record("outlet", outlet.uuid, "approvals_locked", user, f"until {until.isoformat()}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, method: str, policy: Policy) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_digest(token),
            user=user,
            method=method,
            expires_at=clock.now() + timedelta(hours=policy.session_hours),
        )
    )
    db.session.flush()
    return token


_USER_FOR_SESSION = (
    db.select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .options(joinedload(User.outlet))
    .where(
        LoginSession.token_hash == bindparam("digest"),
        LoginSession.revoked_at.is_(None),
        LoginSession.expires_at > bindparam("now"),
        User.active.is_(True),
    )
)


def user_for_session(token: str) -> User | None:
    return db.session.scalar(_USER_FOR_SESSION, {"digest": _digest(token), "now": clock.now()})


def end_session(token: str) -> None:
    row = db.session.scalar(db.select(LoginSession).where(LoginSession.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
        db.session.flush()


def reset_outlet_pins(outlet: Outlet, by: User) -> list[tuple[User, str]]:
    """A stolen outlet node: every PIN of the outlet's staff replaced by a new random 6-digit one (returned once,
    to hand over), short PINs no longer accepted there, each reset in the audit trail. The new hashes reach the
    outlet with its next pull; the old ones, copied off the stolen disk, open nothing."""
    from pos.core import audit

    staff = db.session.scalars(
        db.select(User)
        .where(User.outlet_id == outlet.id, User.role.in_([Role.CASHIER, Role.MANAGER]), User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    handed: list[tuple[User, str]] = []
    for person in staff:
        pin = give_new_pin(person)
        audit.record("user", person.uuid, "pin_reset", by, f"outlet {outlet.code}")
        handed.append((person, pin))
    outlet.allow_short_pins = False
    audit.record("outlet", outlet.uuid, "pins_reset", by, f"{len(handed)} PINs")
    return handed
