"""What each role's home shows: the work waiting for it today, each tile linking to where it is done (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from pos.extensions import db
from pos.models import (
    CountStatus,
    Delivery,
    DeliveryStatus,
    Dispute,
    InvestorDayRollup,
    Outlet,
    OutletMonthRollup,
    Register,
    RestockRequest,
    RestockStatus,
    Sale,
    Shift,
    Statement,
    StockCount,
    SyncConflict,
)


@dataclass(frozen=True, slots=True)
class Tile:
    label: object
    value: int
    endpoint: str
    money: bool = False
    attention: bool = False  # something waits on this user
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RegisterDay:
    name: str
    sales: int
    total: int


def _count(query: Any) -> int:
    return int(db.session.scalar(query) or 0)


def deliveries_to_receive(outlet_id: int) -> int:
    sent = (Delivery.outlet_id == outlet_id) & (Delivery.status == DeliveryStatus.SENT)
    return _count(db.select(func.count(Delivery.id)).where(sent))


def unsigned_by_investor(investor_id: int) -> int:
    return _count(
        db.select(func.count(Statement.id)).where(
            Statement.investor_id == investor_id, Statement.investor_signed_at.is_(None), Statement.nil.is_(False)
        )
    )


def unsigned_by_board(cooperative_id: int) -> int:
    outlets = db.select(Outlet.id).where(Outlet.cooperative_id == cooperative_id)
    return _count(
        db.select(func.count(Statement.id)).where(
            Statement.outlet_id.in_(outlets), Statement.board_signed_at.is_(None), Statement.nil.is_(False)
        )
    )


def silent_outlets(now: datetime, stale: timedelta) -> int:
    from pos.models import OutletSyncState

    return _count(
        db.select(func.count(Outlet.id))
        .outerjoin(OutletSyncState, OutletSyncState.outlet_id == Outlet.id)
        .where(
            Outlet.active.is_(True),
            (OutletSyncState.last_seen_at.is_(None)) | (OutletSyncState.last_seen_at < now - stale),
        )
    )


def open_conflicts() -> int:
    return _count(db.select(func.count(SyncConflict.id)).where(SyncConflict.resolved_at.is_(None)))


def manager(outlet: Outlet, today: date, investor_ids: set[int], waiting_events: int | None) -> dict[str, Any]:
    from pos.stock import inventory

    by_register = [
        RegisterDay(name, int(sales), int(total or 0))
        for name, sales, total in db.session.execute(
            db.select(Register.name, func.count(Sale.id), func.sum(Sale.total))
            .join(Shift, (Shift.outlet_id == Sale.outlet_id) & (Shift.id == Sale.shift_id))
            .join(Register, Register.id == Shift.register_id)
            .where(Sale.outlet_id == outlet.id, Sale.business_date == today)
            .group_by(Register.name)
            .order_by(Register.name)
        )
    ]
    to_receive = _count(
        db.select(func.count(Delivery.id)).where(
            Delivery.outlet_id == outlet.id, Delivery.status == DeliveryStatus.SENT
        )
    )
    counting = _count(
        db.select(func.count(StockCount.id)).where(
            StockCount.outlet_id == outlet.id, StockCount.status == CountStatus.OPEN
        )
    )
    expiring = len(inventory.expiring_at(outlet, investor_ids, today))
    low = len(inventory.low_stock(outlet.id, investor_ids))
    tiles = [
        Tile(_l("Sales today"), sum(r.total for r in by_register), "cashier.history", money=True),
        Tile(_l("Receipts today"), sum(r.sales for r in by_register), "cashier.history"),
        Tile(_l("Deliveries to receive"), to_receive, "stock.delivery_list", attention=to_receive > 0),
        Tile(_l("Expiring soon"), expiring, "stock.stock_list", attention=expiring > 0),
        Tile(_l("Low stock"), low, "stock.stock_list", attention=low > 0, args={"show": "low"}),
        Tile(_l("Counts in progress"), counting, "stock.count_list", attention=counting > 0),
    ]
    if waiting_events is not None:
        tiles.append(Tile(_l("Waiting to sync"), waiting_events, "sync.sync_status", attention=waiting_events > 0))
    return {"tiles": tiles, "registers": by_register}


def _month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    return first, today


def investor(investor_id: int, today: date) -> dict[str, Any]:
    first, last = _month(today)
    share = _count(
        db.select(func.sum(InvestorDayRollup.investor_share)).where(
            InvestorDayRollup.investor_id == investor_id, InvestorDayRollup.day.between(first, last)
        )
    )
    requests = _count(
        db.select(func.count(RestockRequest.id)).where(
            RestockRequest.investor_id == investor_id, RestockRequest.status == RestockStatus.OPEN
        )
    )
    on_the_way = _count(
        db.select(func.count(Delivery.id)).where(
            Delivery.investor_id == investor_id, Delivery.status == DeliveryStatus.SENT
        )
    )
    to_sign = unsigned_by_investor(investor_id)
    return {
        "tiles": [
            Tile(_l("Your share this month"), share, "reports.investor", money=True),
            Tile(_l("Open restock requests"), requests, "stock.restock_list", attention=requests > 0),
            Tile(_l("Deliveries on the way"), on_the_way, "stock.delivery_list"),
            Tile(_l("Statements to sign"), to_sign, "partnership.statements", attention=to_sign > 0),
        ]
    }


def board(cooperative_id: int, today: date) -> dict[str, Any]:
    first, _last = _month(today)
    outlets = db.select(Outlet.id).where(Outlet.cooperative_id == cooperative_id)
    fee = _count(
        db.select(func.sum(OutletMonthRollup.fee)).where(
            OutletMonthRollup.outlet_id.in_(outlets), OutletMonthRollup.month == first
        )
    )
    to_sign = unsigned_by_board(cooperative_id)
    due = cooperative_owes(cooperative_id)
    return {
        "tiles": [
            Tile(_l("Fee income this month"), fee, "partnership.fees", money=True),
            Tile(_l("Statements to sign"), to_sign, "partnership.statements", attention=to_sign > 0),
            Tile(_l("To pay to investors"), due, "partnership.statements", money=True, attention=due > 0),
        ]
    }


def cooperative_owes(cooperative_id: int) -> int:
    """What the cooperative still owes its investors on issued statements (their share it collected)."""
    from pos.models import Direction
    from pos.partnership import obligations

    outlets = db.select(Outlet.id).where(Outlet.cooperative_id == cooperative_id)
    owed = obligations.statements(Statement.outlet_id.in_(outlets) & (Statement.direction == Direction.TO_INVESTOR))
    return sum(max(0, s.outstanding) for s in owed)


def central(now: datetime, stale: timedelta) -> dict[str, Any]:
    silent = silent_outlets(now, stale)
    conflicts = open_conflicts()
    disputes = _count(db.select(func.count(Dispute.id)).where(Dispute.resolved_at.is_(None)))
    return {
        "tiles": [
            Tile(_l("Outlets not syncing"), silent, "sync.health", attention=silent > 0),
            Tile(_l("Refused events to look at"), conflicts, "sync.health", attention=conflicts > 0),
            Tile(_l("Open disputes"), disputes, "partnership.statements", attention=disputes > 0),
        ]
    }


def badges(user: Any, now: datetime, stale: timedelta) -> dict[str, int]:
    """Counts beside menu items: what waits on this user (one or two indexed counts; none for a cashier)."""
    from pos.models import Role

    if user.role == Role.MANAGER and user.outlet_id:
        return {"stock.stock_list": deliveries_to_receive(user.outlet_id)}  # deliveries are a tab of the stock area
    if user.role == Role.INVESTOR and user.investor_id:
        return {"partnership.statements": unsigned_by_investor(user.investor_id)}
    if user.role == Role.BOARD and user.cooperative_id:
        return {"partnership.statements": unsigned_by_board(user.cooperative_id)}
    if user.role in (Role.CENTRAL, Role.ADMIN):
        return {"sync.health": silent_outlets(now, stale) + open_conflicts()}
    return {}
