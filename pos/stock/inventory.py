"""Reading stock: what each outlet holds, per investor, low, expiring, shrinkage, movements, sales."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, event, func, or_, tuple_
from sqlalchemy.orm import Session

from pos.core import clock, fts
from pos.core.clock import business_date
from pos.domain.money import line_amount
from pos.domain.stock import Lot, LotLeft, expiring
from pos.domain.units import unit
from pos.extensions import db
from pos.models import (
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    Investor,
    MovementKind,
    Outlet,
    OutletProductDayRollup,
    Product,
    ReorderLevel,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
    User,
)
from pos.partnership import supply

PAGE_SIZE = 50
NO_LEVEL = -(2**62)  # below any balance: a product without a reorder level is never low
EXPORT_LIMIT = 100_000
FEW_LOW = 2_000  # low products up to which a low-stock page is read from the levels, not the name index


@dataclass(frozen=True, slots=True)
class StockRow:
    product: Product
    on_hand: int
    level: int | None
    needs_count: bool

    @property
    def value(self) -> int:
        """On-hand stock at today's selling price (nothing for a negative balance)."""
        return line_amount(max(self.on_hand, 0), self.product.price, unit(self.product.unit).step_per_unit)

    @property
    def low(self) -> bool:
        return self.level is not None and self.on_hand <= self.level


@dataclass(frozen=True, slots=True)
class StockPage:
    """One page of the stock list, found by keyset (the name and id of the row it starts after or before)."""

    rows: list[StockRow]
    total: int | None  # counted on the first page only: counting reads every product of the outlet
    first: bool
    after: int | None  # the product id the next page starts after
    before: int | None  # the product id the previous page ends before


def stock_query(
    outlet_id: int, investor_ids: set[int], text: str = "", show: str = "all", in_name_order: bool = True
) -> Select[Any]:
    on_hand = func.coalesce(StockBalance.quantity, 0)
    query = (
        db.select(Product, on_hand, ReorderLevel.level, func.coalesce(StockBalance.needs_count, False))
        .outerjoin(StockBalance, and_(StockBalance.product_id == Product.id, StockBalance.outlet_id == outlet_id))
        .outerjoin(ReorderLevel, and_(ReorderLevel.product_id == Product.id, ReorderLevel.outlet_id == outlet_id))
        # compared as ``investor_id + 0``: the list walks the name index in order, never every product of an
        # investor sorted afresh
        .where((Product.investor_id + 0).in_(investor_ids))
    )
    text = text.strip()[:80]
    if text:
        named = fts.name_condition(text)
        exact = or_(Product.sku == text, Product.barcode == text)
        query = query.where(or_(named, exact) if named is not None else exact)
    if show == "low" and in_name_order:
        # not written "level IS NOT NULL": SQLite would then read every level of the outlet and sort them by
        # name; this way it walks the name index, as for the whole list, and stops at the page's last row
        query = query.where(on_hand <= func.coalesce(ReorderLevel.level, NO_LEVEL))
    elif show == "low":  # counting: from the outlet's levels
        query = query.where(ReorderLevel.level.is_not(None), on_hand <= ReorderLevel.level)
    elif show == "flagged":
        query = query.where(StockBalance.needs_count.is_(True))
    elif show == "in_stock":
        query = query.where(on_hand != 0)
    else:
        query = query.where(or_(Product.active.is_(True), on_hand != 0))
    return query


def _low_from_levels(outlet_id: int, investor_ids: set[int]) -> Select[Any]:
    """The low products read from the outlet's reorder levels and their balances first (materialised, so that no
    product row is read for a level that is not low), then named and ordered."""
    on_hand = func.coalesce(StockBalance.quantity, 0)
    low = (
        db.select(
            ReorderLevel.product_id,
            on_hand.label("on_hand"),
            ReorderLevel.level,
            func.coalesce(StockBalance.needs_count, False).label("flag"),
        )
        .outerjoin(
            StockBalance, and_(StockBalance.product_id == ReorderLevel.product_id, StockBalance.outlet_id == outlet_id)
        )
        .where(ReorderLevel.outlet_id == outlet_id, on_hand <= ReorderLevel.level)
        .cte("low")
        .prefix_with("MATERIALIZED")
    )
    return (
        db.select(Product, low.c.on_hand, low.c.level, low.c.flag)
        .join(low, low.c.product_id == Product.id)
        .where((Product.investor_id + 0).in_(investor_ids))
    )


def _rows(result: Any) -> list[StockRow]:
    return [StockRow(product, qty, level, bool(flag)) for product, qty, level, flag in result]


COUNT_SECONDS = 60
_counts: dict[tuple[Any, ...], tuple[float, int]] = {}


def _forget_counts(session: Any, _context: Any) -> None:
    """A product, a balance or a level written here: the counts kept are stale."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if _counts and any(isinstance(o, (Product, StockBalance, ReorderLevel)) for o in changed):
        _counts.clear()


event.listen(Session, "after_flush", _forget_counts)


def _counted(query: Select[Any], key: tuple[Any, ...]) -> int:
    """How many rows the list has: counting reads every product of the outlet (80 ms at 100,000), so a count is
    kept for a minute per database, outlet, investors, search and filter, and forgotten when this process writes
    a product or a level (sales and deliveries move balances in bulk: the low-stock count follows within the
    minute)."""
    now = time.monotonic()
    kept = _counts.get(key)
    if kept is not None and now - kept[0] < COUNT_SECONDS:
        return kept[1]
    total = db.session.scalar(db.select(func.count()).select_from(query.with_only_columns(Product.id).subquery())) or 0
    if len(_counts) > 256:
        _counts.clear()
    _counts[key] = (now, total)
    return total


def outlet_stock(
    outlet_id: int,
    investor_ids: set[int],
    text: str = "",
    show: str = "all",
    after: int | None = None,
    before: int | None = None,
) -> StockPage:
    """A page of ``PAGE_SIZE`` rows in name order, starting after product ``after`` (or ending before ``before``);
    a cursor that names no product of these investors gives the first page.

    Low stock walks the name index and stops at the page's last low row, which is quick while many products are
    low; when few are (the usual shop: a handful of 100,000), the walk would read the whole catalogue to find
    them, so the page is then taken from the outlet's reorder levels and sorted by name."""

    def total() -> int:
        counting = stock_query(outlet_id, investor_ids, text, show, in_name_order=False)
        return _counted(counting, (str(db.engine.url), outlet_id, frozenset(investor_ids), text, show))

    few_low = show == "low" and not text and total() <= FEW_LOW
    query = _low_from_levels(outlet_id, investor_ids) if few_low else stock_query(outlet_id, investor_ids, text, show)
    key = (Product.name, Product.id)
    mark = after if after is not None else before
    cursor = (
        db.session.execute(
            db.select(Product.name, Product.id).where(Product.id == mark, Product.investor_id.in_(investor_ids))
        ).first()
        if mark is not None
        else None
    )
    if cursor is not None and after is not None:
        found = list(db.session.execute(query.where(tuple_(*key) > tuple(cursor)).order_by(*key).limit(PAGE_SIZE + 1)))
        more_after, more_before = len(found) > PAGE_SIZE, True
        rows = found[:PAGE_SIZE]
    elif cursor is not None:
        found = list(
            db.session.execute(
                query.where(tuple_(*key) < tuple(cursor)).order_by(*(k.desc() for k in key)).limit(PAGE_SIZE + 1)
            )
        )
        more_after, more_before = True, len(found) > PAGE_SIZE
        rows = found[:PAGE_SIZE][::-1]
    else:
        found = list(db.session.execute(query.order_by(*key).limit(PAGE_SIZE + 1)))
        more_after, more_before = len(found) > PAGE_SIZE, False
        rows = found[:PAGE_SIZE]
    first = not more_before
    counted = None
    if first:
        counted = len(rows) if not more_after else total()
    page = _rows(rows)
    return StockPage(
        page,
        counted,
        first,
        after=page[-1].product.id if page and more_after else None,
        before=page[0].product.id if page and more_before else None,
    )


def all_stock(outlet_id: int, investor_ids: set[int], show: str = "all") -> list[StockRow]:
    return list(each_stock_row(outlet_id, investor_ids, show))


def each_stock_row(outlet_id: int, investor_ids: set[int], show: str = "all") -> Iterator[StockRow]:
    """The whole list in name order, read a thousand rows at a time (an export streams it)."""
    query = stock_query(outlet_id, investor_ids, show=show).order_by(Product.name, Product.id).limit(EXPORT_LIMIT)
    for product, qty, level, flag in db.session.execute(query.execution_options(yield_per=1_000)):
        yield StockRow(product, qty, level, bool(flag))


@dataclass(frozen=True, slots=True)
class OutletHolding:
    outlet: Outlet
    products: int
    units: int
    value: int
    low: int


def holdings(investor_id: int) -> list[OutletHolding]:
    """What one investor holds at each outlet it supplies, valued at today's selling price."""
    out = []
    for outlet in supply.outlets_of(investor_id):
        rows = all_stock(outlet.id, {investor_id}, show="in_stock")
        levels = low_stock(outlet.id, {investor_id})
        out.append(
            OutletHolding(
                outlet,
                products=sum(1 for r in rows if r.on_hand > 0),
                units=sum(r.on_hand for r in rows if r.product.unit not in ("kg", "l")),
                value=sum(r.value for r in rows),
                low=len(levels),
            )
        )
    return out


def low_stock(outlet_id: int, investor_ids: set[int]) -> list[StockRow]:
    return all_stock(outlet_id, investor_ids, show="low")


def set_level(outlet_id: int, product_id: int, level: int | None) -> None:
    row = db.session.get(ReorderLevel, (outlet_id, product_id))
    if level is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = ReorderLevel(outlet_id=outlet_id, product_id=product_id, level=level)
        db.session.add(row)
    row.level = level
    row.updated_at = clock.now()


@dataclass(frozen=True, slots=True)
class Expiring:
    product: Product
    lot: LotLeft
    days_left: int


def expiring_at(outlet: Outlet, investor_ids: set[int], today: date | None = None) -> list[Expiring]:
    """Received lots still (most likely) on the shelf that expire within the outlet's warning days."""
    today = today or business_date(outlet.timezone)
    rows = db.session.execute(
        db.select(DeliveryLine.product_id, Delivery.received_at, DeliveryLine.expiry_date, DeliveryLine.received)
        .join(Delivery, DeliveryLine.delivery)
        .where(
            DeliveryLine.outlet_id == outlet.id,
            Delivery.status == DeliveryStatus.RECEIVED,
            Delivery.investor_id.in_(investor_ids),
            DeliveryLine.expiry_date.is_not(None),
            DeliveryLine.received > 0,
        )
    ).all()
    lots: dict[int, list[Lot]] = defaultdict(list)
    for product_id, received_at, expiry, quantity in rows:
        lots[product_id].append(Lot(received_at.date(), expiry, quantity))
    if not lots:
        return []
    on_hand = db.session.execute(
        db.select(StockBalance.product_id, StockBalance.quantity).where(
            StockBalance.outlet_id == outlet.id, StockBalance.product_id.in_(lots)
        )
    )
    quantities = dict(on_hand.all())
    products = {p.id: p for p in db.session.scalars(db.select(Product).where(Product.id.in_(lots)))}
    found = [
        Expiring(products[pid], lot, (lot.expiry - today).days)
        for pid, product_lots in lots.items()
        for lot in expiring(quantities.get(pid, 0), product_lots, today, outlet.expiry_warning_days)
    ]
    return sorted(found, key=lambda e: (e.lot.expiry, e.product.name))


@dataclass(frozen=True, slots=True)
class Shrinkage:
    count: StockCount
    investor: Investor
    missing_units: int
    missing_value: int
    found_units: int
    confirmed_by: User | None


def shrinkage(outlet_ids: set[int] | None, investor_ids: set[int] | None, limit: int = 200) -> list[Shrinkage]:
    """Per confirmed count and investor: units missing (and their value at the price then), units found."""
    diff = StockCountLine.counted - StockCountLine.expected
    short = case((diff < 0, -diff), else_=0)
    extra = case((diff > 0, diff), else_=0)
    query = (
        db.select(
            StockCount,
            Investor,
            func.sum(short),
            func.sum(short * StockCountLine.unit_price),
            func.sum(extra),
        )
        .join(
            StockCountLine,
            (StockCountLine.outlet_id == StockCount.outlet_id) & (StockCountLine.count_id == StockCount.id),
        )
        .join(Investor, StockCountLine.investor_id == Investor.id)
        .where(StockCount.confirmed_at.is_not(None), StockCountLine.counted.is_not(None))
        .group_by(StockCount.id, StockCount.outlet_id, Investor.id)
        .order_by(StockCount.confirmed_at.desc(), Investor.name)
        .limit(limit)
    )
    if outlet_ids is not None:
        query = query.where(StockCount.outlet_id.in_(outlet_ids))
    if investor_ids is not None:
        query = query.where(StockCountLine.investor_id.in_(investor_ids))
    out = []
    for count, investor, units, value, found in db.session.execute(query):
        out.append(Shrinkage(count, investor, int(units or 0), int(value or 0), int(found or 0), count.confirmed_by))
    return out


def movements(
    outlet_id: int,
    investor_ids: set[int] | None,
    *,
    product_id: int | None = None,
    kind: MovementKind | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
) -> list[StockMovement]:
    query = db.select(StockMovement).join(Product, StockMovement.product_id == Product.id)
    query = query.where(StockMovement.outlet_id == outlet_id)
    if investor_ids is not None:
        query = query.where(Product.investor_id.in_(investor_ids))
    if product_id is not None:
        query = query.where(StockMovement.product_id == product_id)
    if kind is not None:
        query = query.where(StockMovement.kind == kind)
    if start is not None:
        query = query.where(StockMovement.created_at >= start)
    if end is not None:
        query = query.where(StockMovement.created_at < end)
    return list(db.session.scalars(query.order_by(StockMovement.id.desc()).limit(limit)))


@dataclass(frozen=True, slots=True)
class SalesRow:
    outlet: str
    product: str
    quantity: int
    unit: str
    net: int
    fee: int
    share: int


def investor_sales(investor_id: int, first: date, last: date, outlet_id: int | None = None) -> list[SalesRow]:
    """Net sales (refunds deducted) of one investor's goods by outlet and product over business days, from the
    outlet × product × day rollup."""
    r = OutletProductDayRollup
    query = (
        db.select(
            Outlet.name,
            Product.name,
            Product.unit,
            func.sum(r.quantity),
            func.sum(r.net),
            func.sum(r.fee),
            func.sum(r.investor_share),
        )
        .join(Outlet, r.outlet_id == Outlet.id)
        .join(Product, r.product_id == Product.id)
        .where(r.investor_id == investor_id, r.day >= first, r.day <= last)
        .group_by(Outlet.id, Outlet.name, Product.id, Product.name, Product.unit)
        .order_by(func.sum(r.net).desc(), Outlet.name, Product.name)
        .limit(2000)
    )
    if outlet_id is not None:
        query = query.where(r.outlet_id == outlet_id)
    return [SalesRow(o, p, int(q), u, int(n), int(f), int(s)) for o, p, u, q, n, f, s in db.session.execute(query)]


@dataclass(frozen=True, slots=True)
class InvestorHolding:
    investor: Investor
    outlets: int
    products: int
    value: int


def held_by_investor(outlet_ids: list[int]) -> list[InvestorHolding]:
    """Goods each investor has on the shelves of these outlets, valued at today's selling price."""
    rows = db.session.execute(
        db.select(StockBalance.outlet_id, StockBalance.quantity, Product)
        .join(Product, StockBalance.product_id == Product.id)
        .where(StockBalance.outlet_id.in_(outlet_ids), StockBalance.quantity > 0)
    ).all()
    grouped: dict[int, list[tuple[int, int, Product]]] = {}
    for outlet_id, quantity, product in rows:
        grouped.setdefault(product.investor_id, []).append((outlet_id, quantity, product))
    investors = {i.id: i for i in db.session.scalars(db.select(Investor).where(Investor.id.in_(grouped)))}
    return sorted(
        (
            InvestorHolding(
                investors[investor_id],
                outlets=len({o for o, _, _ in held}),
                products=len({p.id for _, _, p in held}),
                value=sum(line_amount(q, p.price, unit(p.unit).step_per_unit) for _, q, p in held),
            )
            for investor_id, held in grouped.items()
        ),
        key=lambda h: (-h.value, h.investor.name),
    )


@dataclass(frozen=True, slots=True)
class Delivered:
    value: int
    priced_lines: int  # lines valued at the selling price because the product has no cost price


def delivered(investor_id: int, since: datetime, until: datetime) -> dict[int, Delivered]:
    """Goods an investor delivered and outlets accepted (good units) between two instants, at cost, by outlet."""
    rows = db.session.execute(
        db.select(Delivery.outlet_id, DeliveryLine.received, Product)
        .join(DeliveryLine, Delivery.lines)
        .join(Product, DeliveryLine.product_id == Product.id)
        .where(
            Delivery.investor_id == investor_id,
            Delivery.status == DeliveryStatus.RECEIVED,
            Delivery.received_at >= since,
            Delivery.received_at < until,
            DeliveryLine.received > 0,
        )
    ).all()
    value: dict[int, int] = defaultdict(int)
    priced: dict[int, int] = defaultdict(int)
    for outlet_id, good, product in rows:
        price = product.cost if product.cost is not None else product.price
        priced[outlet_id] += product.cost is None
        value[outlet_id] += line_amount(good, price, unit(product.unit).step_per_unit)
    return {outlet_id: Delivered(value[outlet_id], priced[outlet_id]) for outlet_id in value}
