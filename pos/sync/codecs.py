"""What central sends of each kind of record and how an outlet node applies it: one codec per entity.

Each codec says which records of its kind an outlet receives (``in_scope``), what central sends of one
(``snapshot``), and how the outlet stores it (``apply``); central's feed and the outlet's applier both read this
table, so the two sides cannot drift apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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
    Member,
    MemberStatus,
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
    User,
)

STAFF = (Role.CASHIER, Role.MANAGER)


@dataclass(frozen=True, slots=True)
class Codec:
    model: Any
    in_scope: Callable[[Outlet, Any, set[int]], bool]
    snapshot: Callable[[Any, dict[int, list[PriceChange]] | None], dict[str, Any]]
    apply: Callable[[str, dict[str, Any], str | None], None]


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def pending_prices(product_ids: list[int]) -> dict[int, list[PriceChange]]:
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


def _by_uuid(model: Any, key: Any, outlet_code: str | None = None) -> Any:
    """The record with this UUID; an outlet's record (a delivery, a return) is looked for within this node's
    outlet, by the key its table is unique on."""
    query = db.select(model).where(model.uuid == uuid.UUID(str(key)))
    if outlet_code is not None:
        query = query.join(Outlet, Outlet.id == model.outlet_id).where(Outlet.code == outlet_code)
    return db.session.scalar(query)


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


# cooperative


def _cooperative_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.id == outlet.cooperative_id


def _cooperative_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {
        "code": obj.code,
        "name": obj.name,
        "region": obj.region,
        "address": obj.address,
        "chair_name": obj.chair_name,
        "secretary_name": obj.secretary_name,
        "book_year_start_month": obj.book_year_start_month,
    }


def _cooperative_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    values = {k: data[k] for k in ("code", "name", "region", "address", "chair_name")}
    values["secretary_name"] = data.get("secretary_name") or ""
    values["book_year_start_month"] = data.get("book_year_start_month") or 1  # a central from before book years
    _upsert(Cooperative, key, values)


# outlet


def _outlet_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.id == outlet.id


def _outlet_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {
        "code": obj.code,
        "name": obj.name,
        "address": obj.address,
        "timezone": obj.timezone,
        "cooperative": str(obj.cooperative.uuid),
        "allow_negative_stock": obj.allow_negative_stock,
        "cash_tolerance": obj.cash_tolerance,
        "allow_short_pins": obj.allow_short_pins,
        "show_expected_cash": obj.show_expected_cash,
        "cash_rounding": obj.cash_rounding,
        "settings_updated_at": obj.settings_updated_at.isoformat() if obj.settings_updated_at else None,
        "discount_limit_bp": obj.discount_limit_bp,
        "qris_static": obj.qris_static,
        "receipt_footer": obj.receipt_footer,
        "npwp": obj.npwp,
        "nitku": obj.nitku,
        "active": obj.active,
        "expiry_warning_days": obj.expiry_warning_days,
    }


def _outlet_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    from pos.cashier import settings

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
            "active",
            "expiry_warning_days",
        )
    }
    values["allow_short_pins"] = bool(data.get("allow_short_pins", True))  # a central before 6-digit PINs
    values["cooperative_id"] = _ref(Cooperative, data["cooperative"])
    existing = _by_uuid(Outlet, key)
    if existing is None and local_outlet_code:
        # the outlet node was set up by code before its first pull: adopt central's UUID
        by_code = db.session.scalar(db.select(Outlet).where(Outlet.code == data["code"]))
        if by_code is not None:
            by_code.uuid = uuid.UUID(key)
            db.session.flush()
    outlet = _upsert(Outlet, key, values)
    # the manager's till settings: the newer copy wins; a copy never changed by a manager only fills a node's own
    # copy that was never changed either
    changed_at = data.get("settings_updated_at")
    if changed_at is None and outlet.settings_updated_at is not None:
        return
    till = {name: data.get(name) for name in settings.FIELDS}
    settings.apply(outlet, {**till, "updated_at": changed_at}, force=changed_at is None)


# register


def _register_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.outlet_id == outlet.id


def _register_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {"outlet": str(obj.outlet.uuid), "code": obj.code, "name": obj.name}


def _register_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    _upsert(Register, key, {"outlet_id": _ref(Outlet, data["outlet"]), "code": data["code"], "name": data["name"]})


# investor


def _investor_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.id in investors


def _investor_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {
        "code": obj.code,
        "name": obj.name,
        "contact_name": obj.contact_name,
        "phone": obj.phone,
        "address": obj.address,
    }


def _investor_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    _upsert(Investor, key, {k: data[k] for k in ("code", "name", "contact_name", "phone", "address")})


# category


def _category_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return True


def _category_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {"code": obj.code, "name": obj.name}


def _category_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    _upsert(Category, key, {"code": data["code"], "name": data["name"]})


# product


def _product_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.investor_id in investors


def _product_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    changes = pending.get(obj.id, []) if pending is not None else pending_prices([obj.id])[obj.id]
    return {
        "investor": str(obj.investor.uuid),
        "category": str(obj.category.uuid),
        "sku": obj.sku,
        "barcode": obj.barcode,
        "name": obj.name,
        "unit": obj.unit,
        "price": obj.list_price,  # with price_changes: the outlet computes the price in force as central does
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


def _product_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    product = _upsert(
        Product,
        key,
        {
            "investor_id": _ref(Investor, data["investor"]),
            "category_id": _ref(Category, data["category"]),
            **{k: data[k] for k in ("sku", "barcode", "name", "unit", "price", "tracks_expiry", "favourite", "active")},
        },
    )
    sent = {uuid.UUID(c["uuid"]) for c in data.get("price_changes", [])}
    for withdrawn in db.session.scalars(
        db.select(PriceChange).where(
            PriceChange.product_id == product.id,
            PriceChange.applied_at.is_(None),
            PriceChange.cancelled_at.is_(None),
            PriceChange.uuid.not_in(sent),
        )
    ):
        withdrawn.cancelled_at = clock.now()  # cancelled (or folded into the price) on central
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


_PRODUCT_FIELDS = ("sku", "barcode", "name", "unit", "tracks_expiry", "favourite", "active")


def apply_products(changes: list[tuple[str, dict[str, Any]]]) -> None:
    """A page of products in a fixed number of statements (a new node's first pull brings the whole catalogue):
    their investors and categories looked up at once, the new ones inserted and the known ones updated in two
    statements, their scheduled prices compared with what the node holds in one read."""
    from sqlalchemy import insert, update

    if not changes:
        return
    refs = {
        model: dict(
            db.session.execute(
                db.select(model.uuid, model.id).where(
                    model.uuid.in_({uuid.UUID(data[field]) for _key, data in changes})
                )
            ).all()
        )
        for model, field in ((Investor, "investor"), (Category, "category"))
    }
    keys = [uuid.UUID(key) for key, _data in changes]
    known = dict(db.session.execute(db.select(Product.uuid, Product.id).where(Product.uuid.in_(keys))).all())
    now = clock.now()
    new_rows, updates = [], []
    for key, data in changes:
        investor, category = (
            refs[Investor].get(uuid.UUID(data["investor"])),
            refs[Category].get(uuid.UUID(data["category"])),
        )
        if investor is None or category is None:
            raise LookupError(f"product {key}: its investor or category is not received yet")
        due = [datetime.fromisoformat(c["effective_at"]) for c in data.get("price_changes", [])]
        values = {
            "investor_id": investor,
            "category_id": category,
            "list_price": data["price"],
            "price_due_at": min(due) if due else None,
            **{k: data[k] for k in _PRODUCT_FIELDS},
        }
        product_id = known.get(uuid.UUID(key))
        if product_id is None:
            new_rows.append({"uuid": uuid.UUID(key), "created_at": now, "cost": None, **values})
        else:
            updates.append({"id": product_id, **values})
    if new_rows:
        db.session.execute(insert(Product), new_rows)
    if updates:
        db.session.execute(update(Product), updates)
    ids = dict(db.session.execute(db.select(Product.uuid, Product.id).where(Product.uuid.in_(keys))).all())
    held = {
        (row.product_id, row.uuid): row.id
        for row in db.session.execute(
            db.select(PriceChange.id, PriceChange.uuid, PriceChange.product_id).where(
                PriceChange.product_id.in_(ids.values()),
                PriceChange.applied_at.is_(None),
                PriceChange.cancelled_at.is_(None),
            )
        )
    }
    sent = {
        (ids[uuid.UUID(key)], uuid.UUID(c["uuid"])): c for key, data in changes for c in data.get("price_changes", [])
    }
    withdrawn = [price_id for pair, price_id in held.items() if pair not in sent]  # cancelled or folded in on central
    if withdrawn:
        db.session.execute(update(PriceChange).where(PriceChange.id.in_(withdrawn)).values(cancelled_at=now))
    arriving = [pair for pair in sent if pair not in held]
    if arriving:
        present = set(
            db.session.scalars(db.select(PriceChange.uuid).where(PriceChange.uuid.in_([u for _p, u in arriving])))
        )
        rows = [
            {
                "uuid": change_uuid,
                "product_id": product_id,
                "price": sent[(product_id, change_uuid)]["price"],
                "previous_price": sent[(product_id, change_uuid)]["previous_price"],
                "effective_at": datetime.fromisoformat(sent[(product_id, change_uuid)]["effective_at"]),
                "created_at": now,
            }
            for product_id, change_uuid in arriving
            if change_uuid not in present
        ]
        if rows:
            db.session.execute(insert(PriceChange), rows)


# agreement


def _agreement_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return any(o.id == outlet.id for o in obj.outlets)


def _agreement_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
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
                "category_rates": [{"category": str(r.category.uuid), "fee_bp": r.fee_bp} for r in v.category_rates],
            }
            for v in obj.versions
        ],
    }


def _agreement_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
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


# user


def _user_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.role in STAFF and obj.outlet_id == outlet.id


def _user_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {
        "username": obj.username,
        "full_name": obj.full_name,
        "role": obj.role.value,
        "password_hash": obj.password_hash,
        "pin_hash": obj.pin_hash,
        "language": obj.language,
        "active": obj.active,
        "updated_at": _iso(obj.updated_at),
    }


def _user_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == local_outlet_code)) if local_outlet_code else None
    changed = datetime.fromisoformat(data["updated_at"]) if data.get("updated_at") else None
    local = db.session.scalar(db.select(User.updated_at).where(User.uuid == uuid.UUID(key)))
    if local is not None and (changed is None or changed < local):
        return  # changed here (a PIN the manager reset offline) after central's copy: ours goes up, not theirs down
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
            "updated_at": changed,
        },
    )


# delivery


def _delivery_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.outlet_id == outlet.id


def _delivery_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
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


def _delivery_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    existing = _by_uuid(Delivery, key, local_outlet_code or "")
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


# restock


def _restock_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.outlet_id == outlet.id


def _restock_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {
        "status": obj.status.value,
        "answer": obj.answer,
        "delivery": str(obj.delivery.uuid) if obj.delivery else None,
        "answered_at": _iso(obj.answered_at),
    }


def _restock_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    request = _by_uuid(RestockRequest, key, local_outlet_code or "")
    if request is not None:
        request.status = RestockStatus(data["status"])
        request.answer = data["answer"]
        request.answered_at = datetime.fromisoformat(data["answered_at"]) if data["answered_at"] else None
        delivery = _by_uuid(Delivery, data["delivery"], local_outlet_code or "") if data["delivery"] else None
        request.delivery_id = delivery.id if delivery else None


# stock_return


def _stock_return_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.outlet_id == outlet.id


def _stock_return_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {"status": obj.status.value, "received_at": _iso(obj.received_at)}


def _stock_return_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    document = _by_uuid(StockReturn, key, local_outlet_code or "")
    if document is not None:
        document.status = ReturnStatus(data["status"])
        document.received_at = datetime.fromisoformat(data["received_at"]) if data["received_at"] else None


# member


def _member_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.cooperative_id == outlet.cooperative_id


def _member_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    return {
        "cooperative": str(obj.cooperative.uuid),
        "number": obj.number,
        "full_name": obj.full_name,
        "phone": obj.phone,
        "nik": obj.nik,  # the outlet's manager may see it
        "village": obj.village,
        "rt_rw": obj.rt_rw,
        "joined_on": obj.joined_on.isoformat(),
        "status": obj.status.value,
        "status_on": _iso(obj.status_on),
        "updated_at": _iso(obj.updated_at),
    }


def _member_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    values = {k: data[k] for k in ("number", "full_name", "phone", "nik", "village", "rt_rw")}
    values["cooperative_id"] = _ref(Cooperative, data["cooperative"])
    values["joined_on"] = date.fromisoformat(data["joined_on"])
    values["status"] = MemberStatus(data["status"])
    values["status_on"] = _date(data["status_on"])
    values["updated_at"] = datetime.fromisoformat(data["updated_at"]) if data.get("updated_at") else clock.now()
    # a number freed and given again at central arrives before the old holder's change: move the old one aside
    holder = db.session.scalar(
        db.select(Member).where(
            Member.cooperative_id == values["cooperative_id"],
            Member.number == values["number"],
            Member.uuid != uuid.UUID(key),
        )
    )
    if holder is not None:
        holder.number = f"~{holder.id}"[:30]
        db.session.flush()
    _upsert(Member, key, values)


# staff


def _staff_in_scope(outlet: Outlet, obj: Any, investors: set[int]) -> bool:
    return obj.outlet_id == outlet.id


def _staff_snapshot(obj: Any, pending: dict[int, list[PriceChange]] | None) -> dict[str, Any]:
    from pos.staff import roster

    return roster.snapshot(obj)


def _staff_apply(key: str, data: dict[str, Any], local_outlet_code: str | None) -> None:
    from pos.staff import roster

    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == local_outlet_code))
    if outlet is not None:
        roster.apply(outlet.id, data)


CODECS: dict[str, Codec] = {
    "cooperative": Codec(Cooperative, _cooperative_in_scope, _cooperative_snapshot, _cooperative_apply),
    "outlet": Codec(Outlet, _outlet_in_scope, _outlet_snapshot, _outlet_apply),
    "register": Codec(Register, _register_in_scope, _register_snapshot, _register_apply),
    "investor": Codec(Investor, _investor_in_scope, _investor_snapshot, _investor_apply),
    "category": Codec(Category, _category_in_scope, _category_snapshot, _category_apply),
    "product": Codec(Product, _product_in_scope, _product_snapshot, _product_apply),
    "agreement": Codec(Agreement, _agreement_in_scope, _agreement_snapshot, _agreement_apply),
    "user": Codec(User, _user_in_scope, _user_snapshot, _user_apply),
    "delivery": Codec(Delivery, _delivery_in_scope, _delivery_snapshot, _delivery_apply),
    "restock": Codec(RestockRequest, _restock_in_scope, _restock_snapshot, _restock_apply),
    "stock_return": Codec(StockReturn, _stock_return_in_scope, _stock_return_snapshot, _stock_return_apply),
    "staff": Codec(StaffMember, _staff_in_scope, _staff_snapshot, _staff_apply),
    "member": Codec(Member, _member_in_scope, _member_snapshot, _member_apply),
}
