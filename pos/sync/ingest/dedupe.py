"""The event log: which pushed events are stored already (acknowledged or a conflict), and refusals recorded."""

from __future__ import annotations

import uuid
from typing import Any

from pos.domain.sync import Envelope, body_digest, canonical
from pos.extensions import db
from pos.models import (
    Outlet,
    SyncConflict,
    SyncEvent,
)
from pos.sync.ingest.bulk import pg_connection


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record_refusal(
    outlet: Outlet, env_id: uuid.UUID, seq: int | None, event_type: str, reason: str, detail: str, body: Any
) -> None:
    text = body if isinstance(body, str) else canonical(body)
    if not encodable(text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    db.session.add(
        SyncConflict(
            outlet_id=outlet.id,
            event_uuid=env_id,
            seq=seq,
            event_type=event_type[:40],
            reason=reason,
            detail=detail[:500],
            body=text[:100_000],
        )
    )


def stored_events(outlet: Outlet, envelopes: list[Envelope]) -> dict[uuid.UUID, tuple[int, str]]:
    """Events of this batch the outlet has already stored: their outlet and body digest. An event id is unique
    within its outlet (the README's "Running central on Citus" says why that is enough)."""
    if not envelopes:
        return {}
    raw = pg_connection(db.session.connection())
    if raw is not None:
        with raw.cursor() as cursor:
            cursor.execute(
                "SELECT uuid, outlet_id, body_hash FROM sync_event WHERE outlet_id = %s AND uuid = ANY(%s)",
                (outlet.id, [e.id for e in envelopes]),
            )
            return {key: (outlet_id, digest) for key, outlet_id, digest in cursor}
    out = {}
    ids = [e.id for e in envelopes]
    for start in range(0, len(ids), 5000):
        query = db.select(SyncEvent.uuid, SyncEvent.outlet_id, SyncEvent.body_hash).where(
            SyncEvent.outlet_id == outlet.id, SyncEvent.uuid.in_(ids[start : start + 5000])
        )
        out.update({key: (outlet_id, digest) for key, outlet_id, digest in db.session.execute(query)})
    return out


def taken(column: Any, outlet: Outlet, values: list[Any], array_type: str) -> set[Any]:
    """Which of these values the outlet has already used in ``column`` (unique together with the outlet)."""
    if not values:
        return set()
    raw = pg_connection(db.session.connection())
    if raw is not None:
        table, name = column.table.name, column.name
        with raw.cursor() as cursor:
            # one index probe per value, whatever the planner's statistics say about the outlet's history
            cursor.execute(
                f"SELECT x.v FROM unnest(%s::{array_type}[]) AS wanted(v) CROSS JOIN LATERAL "
                f"(SELECT t.{name} AS v FROM {table} t WHERE t.outlet_id = %s AND t.{name} = wanted.v LIMIT 1) AS x",
                (values, outlet.id),
            )
            return {value for (value,) in cursor}
    query = db.select(column).where(column.table.c.outlet_id == outlet.id, column.in_(values))
    return set(db.session.scalars(query))


def legacy_digest(env: Envelope) -> str:
    """The digest as computed before canonical text came from orjson (the same bytes, but checked, not assumed)."""
    return body_digest(env.id, env.seq, env.type, env.schema_version, env.payload)
