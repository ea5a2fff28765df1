"""Passwords, PINs, account locks and server-side login sessions."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from pos.core import clock
from pos.core.transaction import keep
from pos.extensions import db
from pos.models import LoginSession, Role, User

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("kmp-pos-timing-equaliser")

MIN_PASSWORD = 8
PIN_LENGTHS = range(4, 7)


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
    if not (pin.isascii() and pin.isdigit() and len(pin) in PIN_LENGTHS):
        raise ValueError("a PIN has 4 to 6 digits")


def _verify(stored: str | None, given: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, given) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check(user: User | None, secret: str, kind: str, policy: Policy) -> User:
    now = clock.now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        _verify(None, secret)
        raise AuthError("locked", user.locked_until)
    stored = None
    if user is not None and user.active:
        stored = user.password_hash if kind == "password" else user.pin_hash
    if _verify(stored, secret):
        assert user is not None
        user.failed_logins = 0
        user.locked_until = None
        if _hasher.check_needs_rehash(stored or ""):
            if kind == "password":
                user.password_hash = hash_secret(secret)
            else:
                user.pin_hash = hash_secret(secret)
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


def verify_manager_pin(outlet_id: int, pin: str, policy: Policy) -> User | None:
    """The manager of ``outlet_id`` whose PIN this is, counting a failure for each manager."""
    managers = db.session.scalars(
        db.select(User).where(
            User.outlet_id == outlet_id,
            User.role == Role.MANAGER,
            User.active.is_(True),
            User.pin_hash.is_not(None),
        )
    ).all()
    for manager in managers:
        if manager.locked_until is not None and manager.locked_until > clock.now():
            continue
        if _verify(manager.pin_hash, pin):
            manager.failed_logins = 0
            return manager
    for manager in managers:
        with contextlib.suppress(AuthError):
            record_failure(manager, policy)
    return None


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
