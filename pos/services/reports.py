"""Report figures, read from the rollups (never from raw sale lines).

A ``Slice`` says which sales a report covers: a period, optionally a set of outlets (a SQL query of their ids)
and optionally one investor. With no outlet set and no investor the programme-wide tables answer; a whole
calendar month comes from the month rollup, the days at the edges of a period from the day rollup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, union_all

from pos.extensions import db
from pos.models import (
    Cooperative,
    Investor,
    InvestorDayRollup,
    Outlet,
    OutletDayRollup,
    OutletMonthRollup,
    OutletProductDayRollup,
    OutletSyncState,
    Product,
    ProductDayRollup,
    ProductMonthRollup,
    ProgrammeDayRollup,
    StaffMember,
)
from pos.services.staff import JOBS_TARGET


@dataclass(frozen=True, slots=True)
class Slice:
    first: date
    last: date
    outlets: Select[Any] | None = None
    investor_id: int | None = None


@dataclass(frozen=True, slots=True)
class Totals:
    sales: int
    refunds: int
    total: int
    fee: int
    share: int

    @property
    def basket(self) -> int:
        return self.total // self.sales if self.sales > 0 else 0


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def split_period(first: date, last: date, today: date) -> tuple[list[date], list[tuple[date, date]]]:
    """Whole months inside ``first..last`` (a month still running counts as whole once ``last`` reaches today),
    and the day ranges left at the edges."""
    months: list[date] = []
    edges: list[tuple[date, date]] = []
    cursor = first
    while cursor <= last:
        month = cursor.replace(day=1)
        end = _month_end(month)
        if cursor == month and last >= min(end, today):
            months.append(month)
        else:
            edges.append((cursor, min(end, last)))
        cursor = end + timedelta(days=1)
    return months, edges


def _in_days(column: Any, ranges: list[tuple[date, date]]) -> ColumnElement[bool]:
    from sqlalchemy import false, or_

    return or_(false(), *((column >= a) & (column <= b) for a, b in ranges))


def _narrow(query: Select[Any], column: Any, piece: Slice) -> Select[Any]:
    return query if piece.outlets is None else query.where(column.in_(piece.outlets.scalar_subquery()))


def totals(piece: Slice) -> Totals:
    if piece.investor_id is not None:
        r = InvestorDayRollup
        query = db.select(
            func.sum(r.lines), literal(0), func.sum(r.net), func.sum(r.fee), func.sum(r.investor_share)
        ).where(r.investor_id == piece.investor_id, r.day >= piece.first, r.day <= piece.last)
        query = _narrow(query, r.outlet_id, piece)
    elif piece.outlets is not None:
        o = OutletDayRollup
        query = _narrow(
            db.select(
                func.sum(o.sales), func.sum(o.refunds), func.sum(o.total), func.sum(o.fee), func.sum(o.investor_share)
            ).where(o.day >= piece.first, o.day <= piece.last),
            o.outlet_id,
            piece,
        )
    else:
        p = ProgrammeDayRollup
        query = db.select(
            func.sum(p.sales), func.sum(p.refunds), func.sum(p.total), func.sum(p.fee), func.sum(p.investor_share)
        ).where(p.day >= piece.first, p.day <= piece.last)
    return Totals(*(int(v or 0) for v in db.session.execute(query).one()))


def daily(piece: Slice) -> dict[date, int]:
    """Net sales per business day."""
    if piece.investor_id is not None:
        day, value, where = (
            InvestorDayRollup.day,
            InvestorDayRollup.net,
            InvestorDayRollup.investor_id == piece.investor_id,
        )
        outlet_column: Any = InvestorDayRollup.outlet_id
    elif piece.outlets is not None:
        day, value, where, outlet_column = OutletDayRollup.day, OutletDayRollup.total, None, OutletDayRollup.outlet_id
    else:
        day, value, where, outlet_column = ProgrammeDayRollup.day, ProgrammeDayRollup.total, None, None
    query = db.select(day, func.sum(value)).where(day >= piece.first, day <= piece.last).group_by(day)
    if where is not None:
        query = query.where(where)
    if outlet_column is not None:
        query = _narrow(query, outlet_column, piece)
    return {d: int(v or 0) for d, v in db.session.execute(query)}


def outlet_figures(piece: Slice, today: date) -> Any:
    """A subquery of (outlet_id, sales, refunds, total, fee, share) over the slice, one row per outlet with sales."""
    if piece.investor_id is not None:
        r = InvestorDayRollup
        query = (
            db.select(
                r.outlet_id.label("outlet_id"),
                func.sum(r.lines).label("sales"),
                literal(0).label("refunds"),
                func.sum(r.net).label("total"),
                func.sum(r.fee).label("fee"),
                func.sum(r.investor_share).label("share"),
            )
            .where(r.investor_id == piece.investor_id, r.day >= piece.first, r.day <= piece.last)
            .group_by(r.outlet_id)
        )
        return _narrow(query, r.outlet_id, piece).subquery()
    figures = {"sales": "sales", "refunds": "refunds", "total": "total", "fee": "fee", "share": "investor_share"}
    return _over_period(piece, today, (OutletMonthRollup, OutletDayRollup), "outlet_id", figures)


def _over_period(
    piece: Slice, today: date, models: tuple[Any, Any], key: str, figures: dict[str, str], where: Any = None
) -> Any:
    """Sum ``figures`` (label → column name) per ``key`` over the slice's period: whole months
    from the month model, the days at the edges from the day model."""
    month_model, day_model = models
    months, edges = split_period(piece.first, piece.last, today)
    parts = []
    for model, period in ((month_model, months), (day_model, edges)):
        if not period:
            continue
        condition = model.month.in_(period) if model is month_model else _in_days(model.day, period)
        query = db.select(
            getattr(model, key).label(key), *(getattr(model, column).label(name) for name, column in figures.items())
        )
        query = query.where(condition)
        if where is not None:
            query = query.where(where(model))
        if piece.outlets is not None and hasattr(model, "outlet_id"):
            query = _narrow(query, model.outlet_id, piece)
        parts.append(query)
    rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    return (
        db.select(rows.c[key].label(key), *(func.sum(rows.c[name]).label(name) for name in figures))
        .group_by(rows.c[key])
        .subquery()
    )


@dataclass(frozen=True, slots=True)
class OutletRow:
    outlet: Outlet
    cooperative: str
    sales: int
    refunds: int
    total: int
    fee: int
    share: int
    last_seen: datetime | None
    updated: datetime | None


def ranked_outlets(
    piece: Slice,
    today: date,
    outlets: Select[Any] | None,
    limit: int | None = None,
    offset: int = 0,
) -> list[OutletRow]:
    """Outlets in scope (``outlets``: a query of ids, None = all) by net sales, including those without any."""
    figures = outlet_figures(piece, today)
    total = func.coalesce(figures.c.total, 0)
    query = (
        db.select(
            Outlet,
            Cooperative.name,
            figures.c.sales,
            figures.c.refunds,
            figures.c.total,
            figures.c.fee,
            figures.c.share,
            OutletSyncState.last_seen_at,
            OutletMonthRollup.updated_at,
        )
        .join(Cooperative, Outlet.cooperative_id == Cooperative.id)
        .outerjoin(figures, figures.c.outlet_id == Outlet.id)
        .outerjoin(OutletSyncState, OutletSyncState.outlet_id == Outlet.id)
        .outerjoin(
            OutletMonthRollup,
            (OutletMonthRollup.outlet_id == Outlet.id) & (OutletMonthRollup.month == today.replace(day=1)),
        )
        .order_by(total.desc(), Outlet.name)
        .offset(offset)
    )
    if outlets is not None:
        query = query.where(Outlet.id.in_(outlets.scalar_subquery()))
    if limit is not None:
        query = query.limit(limit)
    return [
        OutletRow(o, c, int(s or 0), int(r or 0), int(t or 0), int(f or 0), int(sh or 0), seen, upd)
        for o, c, s, r, t, f, sh, seen, upd in db.session.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class ProductRow:
    product: Product
    investor: str
    quantity: int
    lines: int
    net: int
    fee: int
    share: int


def top_products(piece: Slice, today: date, limit: int | None = 10) -> list[ProductRow]:
    """Products by net sales over the slice: programme-wide month and day tables unless outlets are chosen."""
    names = ("quantity", "lines", "net", "fee", "investor_share")
    mine = (lambda model: model.investor_id == piece.investor_id) if piece.investor_id is not None else None
    if piece.outlets is None:
        models = (ProductMonthRollup, ProductDayRollup)
        sums = _over_period(piece, today, models, "product_id", {n: n for n in names}, mine)
    else:
        r = OutletProductDayRollup
        base = _narrow(
            db.select(r.product_id.label("product_id"), *(func.sum(getattr(r, n)).label(n) for n in names)),
            r.outlet_id,
            piece,
        ).where(r.day >= piece.first, r.day <= piece.last)
        if mine is not None:
            base = base.where(mine(r))
        sums = base.group_by(r.product_id).subquery()
    best = db.select(sums).order_by(sums.c.net.desc(), sums.c.product_id).limit(limit).subquery()
    query = (
        db.select(Product, Investor.name, *(best.c[n] for n in names))
        .join(best, best.c.product_id == Product.id)
        .join(Investor, Product.investor_id == Investor.id)
        .order_by(best.c.net.desc(), Product.id)
    )
    return [ProductRow(p, i, *(int(v) for v in values)) for p, i, *values in db.session.execute(query)]


def monthly(piece: Slice, months: list[date]) -> dict[date, Totals]:
    """Whole-month figures (fee income by month) for the slice's outlets."""
    m = OutletMonthRollup
    query = _narrow(
        db.select(
            m.month,
            func.sum(m.sales),
            func.sum(m.refunds),
            func.sum(m.total),
            func.sum(m.fee),
            func.sum(m.investor_share),
        )
        .where(m.month.in_(months))
        .group_by(m.month),
        m.outlet_id,
        piece,
    )
    found = {month: Totals(*(int(v or 0) for v in values)) for month, *values in db.session.execute(query)}
    return {month: found.get(month, Totals(0, 0, 0, 0, 0)) for month in months}


def months_back(today: date, count: int) -> list[date]:
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months[::-1]


@dataclass(frozen=True, slots=True)
class JobsSummary:
    outlets: int
    below: int
    new_jobs: int
    working: int


def _working_on(day: date) -> ColumnElement[bool]:
    return (StaffMember.start_date <= day) & (StaffMember.end_date.is_(None) | (StaffMember.end_date >= day))


def jobs_by_outlet(outlets: Select[Any] | None, day: date) -> Any:
    query = (
        db.select(
            StaffMember.outlet_id.label("outlet_id"),
            func.count(StaffMember.id).label("working"),
            func.count(StaffMember.id).filter(StaffMember.new_job.is_(True)).label("new_jobs"),
        )
        .where(_working_on(day))
        .group_by(StaffMember.outlet_id)
    )
    if outlets is not None:
        query = query.where(StaffMember.outlet_id.in_(outlets.scalar_subquery()))
    return query.subquery()


def jobs_summary(outlets: Select[Any] | None, day: date) -> JobsSummary:
    jobs = jobs_by_outlet(outlets, day)
    in_scope = outlets_in_scope(outlets).where(Outlet.active.is_(True)).subquery()
    new = func.coalesce(jobs.c.new_jobs, 0)
    count, below, new_jobs, working = db.session.execute(
        db.select(
            func.count(in_scope.c.id),
            func.count(in_scope.c.id).filter(new < JOBS_TARGET),
            func.sum(new),
            func.sum(func.coalesce(jobs.c.working, 0)),
        ).outerjoin(jobs, jobs.c.outlet_id == in_scope.c.id)
    ).one()
    return JobsSummary(int(count or 0), int(below or 0), int(new_jobs or 0), int(working or 0))


@dataclass(frozen=True, slots=True)
class JobsRow:
    outlet: Outlet
    cooperative: str
    working: int
    new_jobs: int

    @property
    def below_target(self) -> bool:
        return self.new_jobs < JOBS_TARGET


def jobs_rows(
    outlets: Select[Any] | None, day: date, only_below: bool = False, limit: int | None = None, offset: int = 0
) -> list[JobsRow]:
    jobs = jobs_by_outlet(outlets, day)
    new = func.coalesce(jobs.c.new_jobs, 0)
    query = (
        db.select(Outlet, Cooperative.name, func.coalesce(jobs.c.working, 0), new)
        .join(Cooperative, Outlet.cooperative_id == Cooperative.id)
        .outerjoin(jobs, jobs.c.outlet_id == Outlet.id)
        .where(Outlet.active.is_(True))
        .order_by(new, Outlet.name)
        .offset(offset)
    )
    if outlets is not None:
        query = query.where(Outlet.id.in_(outlets.scalar_subquery()))
    if only_below:
        query = query.where(new < JOBS_TARGET)
    if limit is not None:
        query = query.limit(limit)
    return [JobsRow(o, c, int(w), int(n)) for o, c, w, n in db.session.execute(query)]


def silent_outlets(
    outlets: Select[Any] | None, since: datetime, limit: int = 20
) -> tuple[int, list[tuple[Outlet, Any]]]:
    """Outlets not heard from since ``since`` (never synced included): how many, and the longest silent first."""
    seen = OutletSyncState.last_seen_at
    quiet = seen.is_(None) | (seen < since)
    base = (
        db.select(Outlet, seen)
        .outerjoin(OutletSyncState, OutletSyncState.outlet_id == Outlet.id)
        .where(Outlet.active.is_(True), quiet)
    )
    if outlets is not None:
        base = base.where(Outlet.id.in_(outlets.scalar_subquery()))
    count = db.session.scalar(db.select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(base.order_by(seen.asc().nulls_first(), Outlet.name).limit(limit)).all()
    return int(count), [(o, s) for o, s in rows]


def outlets_in_scope(outlets: Select[Any] | None) -> Select[Any]:
    query = db.select(Outlet.id)
    return query if outlets is None else query.where(Outlet.id.in_(outlets.scalar_subquery()))
