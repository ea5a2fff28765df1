"""Central → outlet: a change feed of the records outlets receive, pages for one outlet, and applying them.

Central appends a ``sync_change`` row whenever such a record is written (in the same transaction;
on PostgreSQL writers of the feed take a transaction lock, so change numbers commit in order).
An outlet pulls "everything in my scope after change N" and stores the new cursor in the same
transaction as the records it applied.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, func, text
from sqlalchemy.orm import Session

from pos.core import clock
from pos.extensions import db
from pos.models import (
    Agreement,
    AgreementCategoryRate,
    AgreementVersion,
    Category,
    Cooperative,
    Delivery,
    DeliveryLine,
    Investor,
    Member,
    Outlet,
    PriceChange,
    Product,
    Register,
    SyncChange,
    SyncStatus,
    User,
    placement,
)
from pos.sync.codecs import CODECS, apply_products, pending_prices

PAGE = 500

MODELS: dict[str, Any] = {entity: codec.model for entity, codec in CODECS.items()}
# Applied in this order within a page, so that a record's references exist before it.
RANK = list(MODELS)


def _entity_of(obj: Any) -> tuple[str, uuid.UUID] | None:
    """Which fed record a write touches: the record itself, or the record a part of it belongs to."""
    for name, model in MODELS.items():
        if isinstance(obj, model):
            return name, obj.uuid
    if isinstance(obj, PriceChange):
        product = obj.product or db.session.get(Product, obj.product_id)
        return ("product", product.uuid) if product else None
    if isinstance(obj, AgreementVersion):
        agreement = obj.agreement or db.session.get(Agreement, obj.agreement_id)
        return ("agreement", agreement.uuid) if agreement else None
    if isinstance(obj, AgreementCategoryRate):
        version = obj.version or db.session.get(AgreementVersion, obj.version_id)
        return ("agreement", version.agreement.uuid) if version else None
    if isinstance(obj, DeliveryLine):
        delivery = obj.delivery or db.session.get(Delivery, (obj.delivery_id, obj.outlet_id))
        return ("delivery", delivery.uuid) if delivery else None
    return None


def _record_changes(session: Session, flush_context: Any, instances: Any) -> None:
    from flask import current_app, has_app_context

    if not has_app_context() or current_app.config.get("POS_ROLE") == "outlet":
        return
    touched = {*session.new, *session.dirty}
    found: set[tuple[str, uuid.UUID]] = set()
    with session.no_autoflush:
        for obj in touched:
            if isinstance(obj, SyncChange) or (obj in session.dirty and not session.is_modified(obj)):
                continue
            entity = _entity_of(obj)
            if entity is not None and entity[1] is not None:
                found.add(entity)
    if not found:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(424242)"))
    session.add_all(SyncChange(entity=name, entity_uuid=key) for name, key in sorted(found))


def _fill_uuids(session: Session, flush_context: Any, instances: Any) -> None:
    # Records get their UUID from a column default at insert; the feed needs it before that.
    from pos.domain.ids import new_id

    for obj in session.new:
        if hasattr(obj, "uuid") and getattr(obj, "uuid", None) is None and _entity_of_type(obj):
            obj.uuid = new_id()


def _entity_of_type(obj: Any) -> bool:
    return isinstance(
        obj, Cooperative | Outlet | Register | Investor | Category | Product | Agreement | User | Delivery | Member
    )


def track_once() -> None:
    """Record feed changes on central and all-in-one (never on an outlet node, which only applies them)."""
    if not event.contains(Session, "before_flush", _record_changes):
        event.listen(Session, "before_flush", _fill_uuids)
        event.listen(Session, "before_flush", _record_changes)


# Pages for one outlet


def page_for(outlet: Outlet, cursor: int, limit: int = PAGE) -> dict[str, Any]:
    """The changes in the outlet's scope after ``cursor``; an unknown cursor starts again from 0."""
    from pos.partnership import supply

    last = db.session.scalar(db.select(func.max(SyncChange.id))) or 0
    reset = cursor < 0 or cursor > last
    if reset:
        cursor = 0
    investors = supply.investor_ids_of(outlet.id)
    rows = db.session.execute(
        db.select(SyncChange.id, SyncChange.entity, SyncChange.entity_uuid)
        .where(SyncChange.id > cursor)
        .order_by(SyncChange.id)
        .limit(limit * 4)
    ).all()
    latest: dict[tuple[str, uuid.UUID], int] = {}
    for change_id, entity, key in rows:
        latest[(entity, key)] = change_id
    chosen: list[tuple[int, str, uuid.UUID]] = []
    next_cursor = cursor
    for change_id, entity, key in rows:
        if latest[(entity, key)] != change_id:
            next_cursor = change_id
            continue
        if len(chosen) >= limit:
            break
        next_cursor = change_id
        chosen.append((change_id, entity, key))
    # One query per kind of record in the page, not one per record.
    wanted: dict[str, list[uuid.UUID]] = {}
    for _change, entity, key in chosen:
        wanted.setdefault(entity, []).append(key)
    loaded: dict[tuple[str, uuid.UUID], Any] = {}
    for entity, keys in wanted.items():
        model = MODELS.get(entity)
        if model is None:
            continue
        query = db.select(model).where(model.uuid.in_(keys))
        if model.__tablename__ in placement.PER_OUTLET:  # another outlet's record is out of scope anyway
            query = query.where(model.outlet_id == outlet.id)
        for obj in db.session.scalars(query):
            loaded[(entity, obj.uuid)] = obj
    pending = pending_prices([obj.id for (entity, _k), obj in loaded.items() if entity == "product"])
    items = []
    for change_id, entity, key in chosen:
        obj = loaded.get((entity, key))
        if obj is None or not CODECS[entity].in_scope(outlet, obj, investors):
            continue
        items.append(
            {"change": change_id, "entity": entity, "uuid": str(key), "data": CODECS[entity].snapshot(obj, pending)}
        )
    more = next_cursor < last
    from pos.models import OutletSyncState

    state = db.session.get(OutletSyncState, outlet.id)
    next_seq = (state.max_seq if state else 0) + 1
    return {"cursor": next_cursor, "more": more, "reset": reset, "changes": items, "next_seq": next_seq}


# Applying a page at the outlet


def apply_change(entity: str, key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    CODECS[entity].apply(key, data, local_outlet_code)
    db.session.flush()


def apply_page(page: dict[str, Any], local_outlet_code: str | None) -> int:
    """Apply one pulled page and store its cursor, in the caller's transaction."""
    changes = sorted(page["changes"], key=lambda c: (RANK.index(c["entity"]), c["change"]))
    products = [(c["uuid"], c["data"]) for c in changes if c["entity"] == "product"]
    for change in changes:
        if change["entity"] == "product":
            if products:  # all of the page's products at once, in their place in the order
                apply_products(products)
                db.session.flush()
                products = []
            continue
        apply_change(change["entity"], change["uuid"], change["data"], local_outlet_code)
    status = db.session.get(SyncStatus, 1) or SyncStatus(id=1)
    status.pull_cursor = int(page["cursor"])
    db.session.add(status)
    _sequence_floor(int(page.get("next_seq") or 1), local_outlet_code)
    return len(changes)


def _sequence_floor(next_seq: int, local_outlet_code: str | None) -> None:
    """A reinstalled outlet node continues the outlet's event numbering where central has it."""
    from pos.models import OutboxEvent

    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == local_outlet_code)) if local_outlet_code else None
    if outlet is None or next_seq <= 1:
        return
    last = db.session.scalar(db.select(func.max(OutboxEvent.seq)).where(OutboxEvent.outlet_id == outlet.id)) or 0
    if last < next_seq - 1:
        db.session.add(
            OutboxEvent(
                outlet_id=outlet.id,
                seq=next_seq - 1,
                event_type="sync.floor",
                schema_version=1,
                payload="{}",
                sent_at=clock.now(),
            )
        )
