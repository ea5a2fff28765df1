"""The stock ledger: append a movement and keep the cached balance in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func

from pos.core import clock, prepared, upsert
from pos.domain.ids import new_id
from pos.extensions import db
from pos.models import MovementKind, Product, StockBalance, StockMovement


def _upsert(outlet_id: int, product_id: int, delta: int, flag: bool) -> None:
    statement = upsert.insert(StockBalance).values(
        outlet_id=outlet_id, product_id=product_id, quantity=delta, needs_count=flag
    )
    update = {"quantity": StockBalance.quantity + delta}
    if flag:
        update["needs_count"] = True
    db.session.execute(statement.on_conflict_do_update(index_elements=["outlet_id", "product_id"], set_=update))


def post(
    outlet_id: int,
    product_id: int,
    kind: MovementKind,
    quantity: int,
    *,
    user_id: int | None = None,
    document_type: str | None = None,
    document_uuid: uuid.UUID | None = None,
    note: str = "",
    flag_for_count: bool = False,
) -> StockMovement:
    movement = StockMovement(
        outlet_id=outlet_id,
        product_id=product_id,
        kind=kind,
        quantity=quantity,
        user_id=user_id,
        document_type=document_type,
        document_uuid=document_uuid,
        note=note,
    )
    db.session.add(movement)
    _upsert(outlet_id, product_id, quantity, flag_for_count)
    return movement


@dataclass(frozen=True, slots=True)
class Moved:
    """A movement just written: what outbox events say about it."""

    uuid: uuid.UUID
    product_id: int
    kind: MovementKind
    quantity: int


def post_many(
    outlet_id: int,
    moves: dict[int, int],
    kind: MovementKind,
    *,
    user_id: int | None,
    document_type: str,
    document_uuid: uuid.UUID | None,
    note: str = "",
    flag: frozenset[int] = frozenset(),
    at: datetime | None = None,
) -> list[Moved]:
    """Several products' movements for one document: one batch of rows, one batch of balance updates."""
    now = at or clock.now()
    movements = [Moved(new_id(), product_id, kind, quantity) for product_id, quantity in moves.items()]
    db.session.connection().execute(
        _INSERT_MOVEMENTS,
        [
            {
                "uuid": m.uuid,
                "outlet_id": outlet_id,
                "product_id": m.product_id,
                "kind": kind,
                "quantity": m.quantity,
                "user_id": user_id,
                "document_type": document_type,
                "document_uuid": document_uuid,
                "note": note,
                "created_at": now,
            }
            for m in movements
        ],
    )
    for flagged in (False, True):
        rows = [
            {"outlet_id": outlet_id, "product_id": pid, "quantity": qty, "needs_count": flagged}
            for pid, qty in moves.items()
            if (pid in flag) == flagged
        ]
        if rows:
            db.session.execute(_add_to_balance_flagged() if flagged else _add_to_balance(), rows)
    return movements


_INSERT_MOVEMENTS = db.insert(StockMovement.__table__)


def _balance_upsert(flag: bool) -> Any:
    statement = upsert.insert(StockBalance.__table__)
    update = {"quantity": StockBalance.__table__.c.quantity + statement.excluded.quantity}
    if flag:
        update["needs_count"] = True  # sold below the recorded stock: count it next time
    return statement.on_conflict_do_update(index_elements=["outlet_id", "product_id"], set_=update)


@prepared.per_dialect
def _add_to_balance() -> Any:
    return _balance_upsert(False)


@prepared.per_dialect
def _add_to_balance_flagged() -> Any:
    return _balance_upsert(True)


def describe(movements: list[Moved]) -> list[dict[str, object]]:
    """Movements as they travel in outbox events: their own UUIDs and their products' UUIDs."""
    ids = {m.product_id for m in movements}
    uuids = (
        dict(db.session.execute(db.select(Product.id, Product.uuid).where(Product.id.in_(ids))).all()) if ids else {}
    )
    return [
        {"uuid": str(m.uuid), "product": str(uuids[m.product_id]), "kind": str(m.kind), "quantity": m.quantity}
        for m in movements
    ]


_ON_HAND = db.select(StockBalance.quantity).where(
    StockBalance.outlet_id == bindparam("outlet"), StockBalance.product_id == bindparam("product")
)


def on_hand(outlet_id: int, product_id: int) -> int:
    return db.session.scalar(_ON_HAND, {"outlet": outlet_id, "product": product_id}) or 0


_ON_HAND_MANY = db.select(StockBalance.product_id, StockBalance.quantity).where(
    StockBalance.outlet_id == bindparam("outlet"), StockBalance.product_id.in_(bindparam("products", expanding=True))
)


def on_hand_many(outlet_id: int, product_ids: list[int]) -> dict[int, int]:
    rows = db.session.connection().execute(_ON_HAND_MANY, {"outlet": outlet_id, "products": product_ids})
    return {product_id: quantity for product_id, quantity in rows}


def ledger_sum(outlet_id: int, product_id: int) -> int:
    return (
        db.session.scalar(
            db.select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
                StockMovement.outlet_id == outlet_id, StockMovement.product_id == product_id
            )
        )
        or 0
    )
