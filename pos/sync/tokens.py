"""Outlet API tokens on central: issued once, stored as digests, rotated and revoked."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import update

from pos.core import audit, clock
from pos.extensions import db
from pos.models import Outlet, OutletToken, User

PREFIX = "kmp_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(outlet: Outlet, user: User | None, *, revoke_others: bool = True) -> str:
    """A new token for the outlet, returned once. Rotating revokes the outlet's older tokens."""
    if revoke_others:
        revoke_all(outlet, user)
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        OutletToken(
            outlet_id=outlet.id,
            token_hash=_digest(token),
            prefix=token[: len(PREFIX) + 6],
            created_by_id=user.id if user else None,
        )
    )
    audit.record("outlet", outlet.uuid, "token_issued", user, token[: len(PREFIX) + 6])
    return token


def revoke_all(outlet: Outlet, user: User | None) -> int:
    result = db.session.execute(
        update(OutletToken)
        .where(OutletToken.outlet_id == outlet.id, OutletToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    if result.rowcount:
        audit.record("outlet", outlet.uuid, "token_revoked", user, str(result.rowcount))
    return int(result.rowcount or 0)


def outlet_for(token: str) -> Outlet | None:
    """The outlet a bearer token belongs to, if the token is known and not revoked."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        db.select(OutletToken).where(OutletToken.token_hash == _digest(token), OutletToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    return db.session.get(Outlet, row.outlet_id)


def active(outlet: Outlet) -> list[OutletToken]:
    return list(
        db.session.scalars(
            db.select(OutletToken)
            .where(OutletToken.outlet_id == outlet.id)
            .order_by(OutletToken.created_at.desc())
            .limit(10)
        )
    )
