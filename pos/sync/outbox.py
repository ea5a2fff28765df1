"""Append events to the outbox in the caller's transaction."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import bindparam, func, literal

from pos.core import clock
from pos.domain.ids import new_id
from pos.extensions import db
from pos.models import OutboxEvent
from pos.sync import events

SCHEMA_VERSION = 1


# One statement: the row takes the outlet's next sequence number as it is inserted (the caller's
# transaction holds the write lock, so no other writer can take the same number).
_APPEND = db.insert(OutboxEvent.__table__).from_select(
    ["uuid", "outlet_id", "seq", "event_type", "schema_version", "payload", "created_at", "attempts"],
    db.select(
        bindparam("uuid", type_=OutboxEvent.uuid.type),
        bindparam("outlet", type_=OutboxEvent.outlet_id.type),
        func.coalesce(func.max(OutboxEvent.seq), 0) + 1,
        bindparam("type", type_=OutboxEvent.event_type.type),
        bindparam("version", type_=OutboxEvent.schema_version.type),
        bindparam("payload", type_=OutboxEvent.payload.type),
        bindparam("at", type_=OutboxEvent.created_at.type),
        literal(0),
    ).where(OutboxEvent.outlet_id == bindparam("outlet")),
)


def append(outlet_id: int, event_type: str, payload: dict[str, Any]) -> None:
    if has_app_context() and current_app.config.get("POS_STRICT_EVENTS"):
        events.check(event_type, json.loads(json.dumps(payload, default=str)))  # as it will travel
    # outbox rows are only ever written by Core statements: nothing pending in the ORM can change the number
    db.session.connection().execute(
        _APPEND,
        {
            "uuid": new_id(),
            "outlet": outlet_id,
            "type": event_type,
            "version": SCHEMA_VERSION,
            "payload": json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str),
            "at": clock.now(),
        },
    )


def pending_count(outlet_id: int | None = None) -> int:
    query = db.select(func.count(OutboxEvent.id)).where(
        OutboxEvent.sent_at.is_(None), OutboxEvent.quarantined_at.is_(None)
    )
    if outlet_id is not None:
        query = query.where(OutboxEvent.outlet_id == outlet_id)
    return db.session.scalar(query) or 0
