"""How sync is going: the outlet node's own state, and central's view of every outlet (reads only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func

from pos.core import clock
from pos.extensions import db
from pos.models import OutboxEvent, Outlet, OutletSyncState, SyncConflict, SyncStatus
from pos.sync import outbox, tokens


def outlet_status(*, configured: bool, stale_after: timedelta) -> dict[str, Any]:
    """The outlet node's own sync state: what waits, what is held back, when it last reached central."""
    state = db.session.get(SyncStatus, 1)
    quarantined = (
        db.session.scalar(db.select(func.count(OutboxEvent.id)).where(OutboxEvent.quarantined_at.is_not(None))) or 0
    )
    last_success = state.last_success_at if state else None
    pending = outbox.pending_count()
    oldest = oldest_waiting()
    stale = pending > 0 and (oldest is not None and clock.now() - oldest > stale_after)
    return {
        "configured": configured,
        "pending": pending,
        "quarantined": quarantined,
        "last_success": last_success,
        "last_attempt": state.last_attempt_at if state else None,
        "last_error": state.last_error if state else None,
        "stale": stale,
        "stale_minutes": int(stale_after.total_seconds() // 60),
        "oldest": oldest,
    }


def oldest_waiting() -> datetime | None:
    """When the oldest event still waiting to be sent was made: the first in sequence, one entry of the pending
    index (a minimum over the waiting events read every one of them, an offline day's tens of thousands, on
    every page the node served)."""
    return db.session.scalar(
        db.select(OutboxEvent.created_at)
        .where(OutboxEvent.sent_at.is_(None), OutboxEvent.quarantined_at.is_(None))
        .order_by(OutboxEvent.seq)
        .limit(1)
    )


def held(limit: int = 50) -> list[OutboxEvent]:
    """Events the outlet holds back (quarantined), oldest first."""
    query = db.select(OutboxEvent).where(OutboxEvent.quarantined_at.is_not(None)).order_by(OutboxEvent.seq)
    return list(db.session.scalars(query.limit(limit)))


def by_outlet(today: date, now: datetime) -> tuple[list[dict[str, Any]], list[tuple[str, SyncConflict]]]:
    """Every outlet's sync state (events today, open refusals, lag, tokens) and the latest open refusals, each
    with its outlet's code."""
    open_conflicts = dict(
        db.session.execute(
            db.select(SyncConflict.outlet_id, func.count(SyncConflict.id))
            .where(SyncConflict.resolved_at.is_(None))
            .group_by(SyncConflict.outlet_id)
        ).all()
    )
    rows = db.session.execute(
        db.select(Outlet, OutletSyncState)
        .outerjoin(OutletSyncState, OutletSyncState.outlet_id == Outlet.id)
        .order_by(Outlet.code)
        .limit(2000)
    ).all()
    outlets = [
        {
            "outlet": outlet,
            "state": state,
            "today": state.received_on(today) if state else 0,
            "conflicts": open_conflicts.get(outlet.id, 0),
            "lag": (now - state.last_event_at) if state and state.last_event_at else None,
            "tokens": tokens.active(outlet),
        }
        for outlet, state in rows
    ]
    codes = {outlet.id: outlet.code for outlet, _state in rows}
    latest = db.select(SyncConflict).where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.id.desc())
    conflicts = [(codes.get(c.outlet_id, "?"), c) for c in db.session.scalars(latest.limit(50))]
    return outlets, conflicts
