"""Central → outlet: a change feed of the records outlets receive, pages for one outlet, and applying them.

Central appends a ``sync_change`` row whenever such a record is written (in the same transaction;
on PostgreSQL writers of the feed take a transaction lock, so change numbers commit in order).
An outlet pulls "everything in my scope after change N" and stores the new cursor in the same
transaction as the records it applied.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
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
    Collector,
    Cooperative,
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    Investor,
    Outlet,
    PriceChange,
    Product,
    Register,
    RestockRequest,
    RestockStatus,
    ReturnStatus,
    Role,
    SettlementPeriod,
    StaffMember,
    StockReturn,
    SyncChange,
    SyncStatus,
    User,
)

PAGE = 500
STAFF = (Role.CASHIER, Role.MANAGER)

MODELS: dict[str, Any] = {
    "cooperative": Cooperative,
    "outlet": Outlet,
    "register": Register,
    "investor": Investor,
    "category": Category,
    "product": Product,
    "agreement": Agreement,
    "user": User,
    "delivery": Delivery,
    "restock": RestockRequest,
    "stock_return": StockReturn,
    "staff": StaffMember,
}
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
        delivery = obj.delivery or db.session.get(Delivery, obj.delivery_id)
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
        obj, Cooperative | Outlet | Register | Investor | Category | Product | Agreement | User | Delivery
    )


def track_once() -> None:
    """Record feed changes on central and all-in-one (never on an outlet node, which only applies them)."""
    if not event.contains(Session, "before_flush", _record_changes):
        event.listen(Session, "before_flush", _fill_uuids)
        event.listen(Session, "before_flush", _record_changes)


# Pages for one outlet


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _in_scope(outlet: Outlet, entity: str, obj: Any, investors: set[int]) -> bool:
    if entity == "cooperative":
        return obj.id == outlet.cooperative_id
    if entity == "outlet":
        return obj.id == outlet.id
    if entity == "register":
        return obj.outlet_id == outlet.id
    if entity == "investor":
        return obj.id in investors
    if entity == "category":
        return True
    if entity == "product":
        return obj.investor_id in investors
    if entity == "agreement":
        return any(o.id == outlet.id for o in obj.outlets)
    if entity == "user":
        return obj.role in STAFF and obj.outlet_id == outlet.id
    if entity in ("delivery", "restock", "stock_return", "staff"):
        return obj.outlet_id == outlet.id
    return False


def _snapshot(entity: str, obj: Any, pending: dict[int, list[PriceChange]] | None = None) -> dict[str, Any]:
    if entity == "cooperative":
        return {
            "code": obj.code,
            "name": obj.name,
            "region": obj.region,
            "address": obj.address,
            "chair_name": obj.chair_name,
        }
    if entity == "outlet":
        return {
            "code": obj.code,
            "name": obj.name,
            "address": obj.address,
            "timezone": obj.timezone,
            "cooperative": str(obj.cooperative.uuid),
            "allow_negative_stock": obj.allow_negative_stock,
            "cash_tolerance": obj.cash_tolerance,
            "discount_limit_bp": obj.discount_limit_bp,
            "qris_static": obj.qris_static,
            "receipt_footer": obj.receipt_footer,
            "active": obj.active,
            "expiry_warning_days": obj.expiry_warning_days,
        }
    if entity == "register":
        return {"outlet": str(obj.outlet.uuid), "code": obj.code, "name": obj.name}
    if entity == "investor":
        return {
            "code": obj.code,
            "name": obj.name,
            "contact_name": obj.contact_name,
            "phone": obj.phone,
            "address": obj.address,
        }
    if entity == "category":
        return {"code": obj.code, "name": obj.name}
    if entity == "product":
        changes = pending.get(obj.id, []) if pending is not None else _pending_prices([obj.id])[obj.id]
        return {
            "investor": str(obj.investor.uuid),
            "category": str(obj.category.uuid),
            "sku": obj.sku,
            "barcode": obj.barcode,
            "name": obj.name,
            "unit": obj.unit,
            "price": obj.price,
            "tracks_expiry": obj.tracks_expiry,
            "favourite": obj.favourite,
            "active": obj.active,
            "price_changes": [
                {
                    "uuid": str(c.uuid),
                    "price": c.price,
                    "previous_price": c.previous_price,
                    "effective_at": _iso(c.effective_at),
                }
                for c in changes
            ],
        }
    if entity == "agreement":
        return {
            "number": obj.number,
            "cooperative": str(obj.cooperative.uuid),
            "investor": str(obj.investor.uuid),
            "start_date": _iso(obj.start_date),
            "end_date": _iso(obj.end_date),
            "versions": [
                {
                    "uuid": str(v.uuid),
                    "effective_from": _iso(v.effective_from),
                    "fee_bp": v.fee_bp,
                    "collector": v.collector.value,
                    "period": v.period.value,
                    "staff_count": v.staff_count,
                    "note": v.note,
                    "category_rates": [
                        {"category": str(r.category.uuid), "fee_bp": r.fee_bp} for r in v.category_rates
                    ],
                }
                for v in obj.versions
            ],
        }
    if entity == "user":
        return {
            "username": obj.username,
            "full_name": obj.full_name,
            "role": obj.role.value,
            "password_hash": obj.password_hash,
            "pin_hash": obj.pin_hash,
            "language": obj.language,
            "active": obj.active,
        }
    if entity == "delivery":
        return {
            "number": obj.number,
            "investor": str(obj.investor.uuid),
            "status": obj.status.value,
            "expected_on": _iso(obj.expected_on),
            "note": obj.note,
            "driver": obj.driver,
            "lines": [
                {
                    "product": str(ln.product.uuid),
                    "quantity": ln.quantity,
                    "batch": ln.batch,
                    "expiry_date": _iso(ln.expiry_date),
                }
                for ln in sorted(obj.lines, key=lambda ln: ln.id)
            ],
        }
    if entity == "restock":
        return {
            "status": obj.status.value,
            "answer": obj.answer,
            "delivery": str(obj.delivery.uuid) if obj.delivery else None,
            "answered_at": _iso(obj.answered_at),
        }
    if entity == "stock_return":
        return {"status": obj.status.value, "received_at": _iso(obj.received_at)}
    if entity == "staff":
        from pos.staff import roster

        return roster.snapshot(obj)
    raise ValueError(entity)


def _pending_prices(product_ids: list[int]) -> dict[int, list[PriceChange]]:
    found: dict[int, list[PriceChange]] = {pid: [] for pid in product_ids}
    for change in db.session.scalars(
        db.select(PriceChange).where(
            PriceChange.product_id.in_(product_ids),
            PriceChange.applied_at.is_(None),
            PriceChange.cancelled_at.is_(None),
        )
    ):
        found[change.product_id].append(change)
    return found


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
        for obj in db.session.scalars(db.select(model).where(model.uuid.in_(keys))):
            loaded[(entity, obj.uuid)] = obj
    pending = _pending_prices([obj.id for (entity, _k), obj in loaded.items() if entity == "product"])
    items = []
    for change_id, entity, key in chosen:
        obj = loaded.get((entity, key))
        if obj is None or not _in_scope(outlet, entity, obj, investors):
            continue
        items.append({"change": change_id, "entity": entity, "uuid": str(key), "data": _snapshot(entity, obj, pending)})
    more = next_cursor < last
    from pos.models import OutletSyncState

    state = db.session.get(OutletSyncState, outlet.id)
    next_seq = (state.max_seq if state else 0) + 1
    return {"cursor": next_cursor, "more": more, "reset": reset, "changes": items, "next_seq": next_seq}


# Applying a page at the outlet


def _by_uuid(model: Any, key: Any) -> Any:
    return db.session.scalar(db.select(model).where(model.uuid == uuid.UUID(str(key))))


def _ref(model: Any, key: Any) -> int:
    found = _by_uuid(model, key)
    if found is None:
        raise LookupError(f"{model.__tablename__} {key} not received yet")
    return found.id


def _upsert(model: Any, key: str, values: dict[str, Any]) -> Any:
    obj = _by_uuid(model, key)
    if obj is None:
        obj = model(uuid=uuid.UUID(key), **values)
        db.session.add(obj)
    else:
        for name, value in values.items():
            setattr(obj, name, value)
    db.session.flush()
    return obj


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def apply_change(entity: str, key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    if entity == "cooperative":
        _upsert(Cooperative, key, {k: data[k] for k in ("code", "name", "region", "address", "chair_name")})
    elif entity == "outlet":
        values = {
            k: data[k]
            for k in (
                "code",
                "name",
                "address",
                "timezone",
                "allow_negative_stock",
                "cash_tolerance",
                "discount_limit_bp",
                "qris_static",
                "receipt_footer",
                "active",
                "expiry_warning_days",
            )
        }
        values["cooperative_id"] = _ref(Cooperative, data["cooperative"])
        existing = _by_uuid(Outlet, key)
        if existing is None and local_outlet_code:
            # the outlet node was set up by code before its first pull: adopt central's UUID
            by_code = db.session.scalar(db.select(Outlet).where(Outlet.code == data["code"]))
            if by_code is not None:
                by_code.uuid = uuid.UUID(key)
                db.session.flush()
        _upsert(Outlet, key, values)
    elif entity == "register":
        _upsert(Register, key, {"outlet_id": _ref(Outlet, data["outlet"]), "code": data["code"], "name": data["name"]})
    elif entity == "investor":
        _upsert(Investor, key, {k: data[k] for k in ("code", "name", "contact_name", "phone", "address")})
    elif entity == "category":
        _upsert(Category, key, {"code": data["code"], "name": data["name"]})
    elif entity == "product":
        product = _upsert(
            Product,
            key,
            {
                "investor_id": _ref(Investor, data["investor"]),
                "category_id": _ref(Category, data["category"]),
                **{
                    k: data[k]
                    for k in ("sku", "barcode", "name", "unit", "price", "tracks_expiry", "favourite", "active")
                },
            },
        )
        for change in data.get("price_changes", []):
            if _by_uuid(PriceChange, change["uuid"]) is None:
                db.session.add(
                    PriceChange(
                        uuid=uuid.UUID(change["uuid"]),
                        product_id=product.id,
                        price=change["price"],
                        previous_price=change["previous_price"],
                        effective_at=datetime.fromisoformat(change["effective_at"]),
                    )
                )
        due = [datetime.fromisoformat(c["effective_at"]) for c in data.get("price_changes", [])]
        product.price_due_at = min(due) if due else None
    elif entity == "agreement":
        agreement = _upsert(
            Agreement,
            key,
            {
                "number": data["number"],
                "cooperative_id": _ref(Cooperative, data["cooperative"]),
                "investor_id": _ref(Investor, data["investor"]),
                "start_date": _date(data["start_date"]),
                "end_date": _date(data["end_date"]),
            },
        )
        if local_outlet_code:
            outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == local_outlet_code))
            if outlet is not None and outlet not in agreement.outlets:
                agreement.outlets.append(outlet)
        for version in data["versions"]:
            saved = _upsert(
                AgreementVersion,
                version["uuid"],
                {
                    "agreement_id": agreement.id,
                    "effective_from": _date(version["effective_from"]),
                    "fee_bp": version["fee_bp"],
                    "collector": Collector(version["collector"]),
                    "period": SettlementPeriod(version["period"]),
                    "staff_count": version["staff_count"],
                    "note": version["note"],
                },
            )
            db.session.execute(db.delete(AgreementCategoryRate).where(AgreementCategoryRate.version_id == saved.id))
            for rate in version["category_rates"]:
                db.session.add(
                    AgreementCategoryRate(
                        version_id=saved.id, category_id=_ref(Category, rate["category"]), fee_bp=rate["fee_bp"]
                    )
                )
    elif entity == "user":
        outlet = (
            db.session.scalar(db.select(Outlet).where(Outlet.code == local_outlet_code)) if local_outlet_code else None
        )
        _upsert(
            User,
            key,
            {
                "username": data["username"],
                "full_name": data["full_name"],
                "role": Role(data["role"]),
                "password_hash": data["password_hash"],
                "pin_hash": data["pin_hash"],
                "language": data["language"],
                "active": data["active"],
                "outlet_id": outlet.id if outlet else None,
            },
        )
    elif entity == "restock":
        request = _by_uuid(RestockRequest, key)
        if request is not None:
            request.status = RestockStatus(data["status"])
            request.answer = data["answer"]
            request.answered_at = datetime.fromisoformat(data["answered_at"]) if data["answered_at"] else None
            delivery = _by_uuid(Delivery, data["delivery"]) if data["delivery"] else None
            request.delivery_id = delivery.id if delivery else None
    elif entity == "stock_return":
        document = _by_uuid(StockReturn, key)
        if document is not None:
            document.status = ReturnStatus(data["status"])
            document.received_at = datetime.fromisoformat(data["received_at"]) if data["received_at"] else None
    elif entity == "staff":
        from pos.staff import roster

        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == local_outlet_code))
        if outlet is not None:
            roster.apply(outlet.id, data)
    elif entity == "delivery":
        existing = _by_uuid(Delivery, key)
        if existing is not None:
            if existing.status == DeliveryStatus.SENT and data["status"] == DeliveryStatus.CANCELLED.value:
                existing.status = DeliveryStatus.CANCELLED
            return
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == local_outlet_code))
        if outlet is None or data["status"] != DeliveryStatus.SENT.value:
            return
        db.session.add(
            Delivery(
                uuid=uuid.UUID(key),
                number=data["number"],
                investor_id=_ref(Investor, data["investor"]),
                outlet_id=outlet.id,
                expected_on=_date(data["expected_on"]),
                note=data["note"],
                driver=data["driver"],
                lines=[
                    DeliveryLine(
                        product_id=_ref(Product, line["product"]),
                        quantity=line["quantity"],
                        batch=line["batch"],
                        expiry_date=_date(line["expiry_date"]),
                    )
                    for line in data["lines"]
                ],
            )
        )
    db.session.flush()


def apply_page(page: dict[str, Any], local_outlet_code: str | None) -> int:
    """Apply one pulled page and store its cursor, in the caller's transaction."""
    changes = sorted(page["changes"], key=lambda c: (RANK.index(c["entity"]), c["change"]))
    for change in changes:
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
