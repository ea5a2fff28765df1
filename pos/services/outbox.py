"""Append events to the outbox in the caller's transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func

from pos.domain.ids import new_id
from pos.extensions import db
from pos.models import OutboxEvent
from pos.models.base import utcnow

SCHEMA_VERSION = 1


def append(outlet_id: int, event_type: str, payload: dict[str, Any]) -> None:
    last = db.session.scalar(db.select(func.max(OutboxEvent.seq)).where(OutboxEvent.outlet_id == outlet_id))
    db.session.execute(
        db.insert(OutboxEvent).values(
            uuid=new_id(),
            outlet_id=outlet_id,
            seq=(last or 0) + 1,
            event_type=event_type,
            schema_version=SCHEMA_VERSION,
            payload=json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str),
            created_at=utcnow(),
            attempts=0,
        )
    )


def pending_count(outlet_id: int | None = None) -> int:
    query = db.select(func.count(OutboxEvent.id)).where(
        OutboxEvent.sent_at.is_(None), OutboxEvent.quarantined_at.is_(None)
    )
    if outlet_id is not None:
        query = query.where(OutboxEvent.outlet_id == outlet_id)
    return db.session.scalar(query) or 0
