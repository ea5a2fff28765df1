"""Report figures, read from the rollups (never from raw sale lines).

A ``Slice`` says which sales a report covers: a period, optionally a set of outlets (a SQL query of their ids)
and optionally one investor. With no outlet set and no investor the programme-wide tables answer; a whole
calendar month comes from the month rollup, the days at the edges of a period from the day rollup.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, literal, or_, text, true, union_all

from pos.extensions import db
from pos.models import (
    Cooperative,
    Investor,
    InvestorDayRollup,
    Outlet,
    OutletDayRollup,
    OutletMonthRollup,
    OutletProductDayRollup,
    OutletStaffing,
    OutletSyncState,
    Product,
    ProductDayRollup,
    ProductMonthRollup,
    ProgrammeDayRollup,
    StaffMember,
)
from pos.staff import roster
from pos.staff.roster import JOBS_TARGET


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


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def prepare() -> None:
    """Report queries sort and hash tens of thousands of groups: give them memory rather than temporary files."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        # The planner cannot estimate groups over a UNION of month and day rows; one hash beats parallel sorts.
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def split_period(first: date, last: date, today: date) -> tuple[list[date], list[tuple[date, date]]]:
    """Whole months inside ``first..last`` (a month still running counts as whole once ``last`` reaches today),
    and the day ranges left at the edges."""
    months: list[date] = []
    edges: list[tuple[date, date]] = []
    cursor = first
    while cursor <= last:
        month = cursor.replace(day=1)
        end = month_end(month)
        if cursor == month and last >= min(end, today):
            months.append(month)
        else:
            edges.append((cursor, min(end, last)))
        cursor = end + timedelta(days=1)
    return months, edges


def _in_days(column: Any, ranges: list[tuple[date, date]]) -> ColumnElement[bool]:
    return or_(false(), *((column >= a) & (column <= b) for a, b in ranges))


def _narrow(query: Select[Any], column: Any, piece: Slice) -> Select[Any]:
    return query if piece.outlets is None else query.where(column.in_(piece.outlets.scalar_subquery()))


def totals(piece: Slice, today: date) -> Totals:
    """The slice's figures: an investor's from its rollup, chosen outlets' from months plus edge days, the whole
    programme's from the programme day rollup."""
    if piece.investor_id is not None:
        r = InvestorDayRollup
        query = db.select(
            func.sum(r.lines), literal(0), func.sum(r.net), func.sum(r.fee), func.sum(r.investor_share)
        ).where(r.investor_id == piece.investor_id, r.day >= piece.first, r.day <= piece.last)
        query = _narrow(query, r.outlet_id, piece)
    elif piece.outlets is not None:
        figures = outlet_figures(piece, today)
        query = db.select(*(func.sum(figures.c[name]) for name in OUTLET_FIGURES))
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
    if len(months) == 1 and not edges:  # one month: already one row per key, nothing to add up
        return parts[0].subquery()
    rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    return (
        db.select(rows.c[key].label(key), *(func.sum(rows.c[name]).label(name) for name in figures))
        .group_by(rows.c[key])
        .subquery()
    )


OUTLET_FIGURES = ("sales", "refunds", "total", "fee", "share")


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


def _outlet_rows(
    today: date, figures: Any, where: Any, order: list[Any], limit: int | None = None, offset: int = 0
) -> list[OutletRow]:
    """Outlets matching ``where`` with their figures (zeros when ``figures`` is None), last seen and data time."""
    sums = [figures.c[name] for name in OUTLET_FIGURES] if figures is not None else [literal(0)] * len(OUTLET_FIGURES)
    query = (
        db.select(Outlet, Cooperative.name, OutletSyncState.last_seen_at, OutletMonthRollup.updated_at, *sums)
        .join(Cooperative, Outlet.cooperative_id == Cooperative.id)
        .outerjoin(OutletSyncState, OutletSyncState.outlet_id == Outlet.id)
        .outerjoin(
            OutletMonthRollup,
            (OutletMonthRollup.outlet_id == Outlet.id) & (OutletMonthRollup.month == today.replace(day=1)),
        )
        .where(where)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    if figures is not None:
        query = query.outerjoin(figures, figures.c.outlet_id == Outlet.id)
    return [
        OutletRow(outlet, coop, *(int(v or 0) for v in values), seen, updated)
        for outlet, coop, seen, updated, *values in db.session.execute(query)
    ]


def ranked_outlets(
    piece: Slice, today: date, outlets: Select[Any] | None, limit: int | None = None, offset: int = 0
) -> list[OutletRow]:
    """Outlets in scope (``outlets``: a query of ids, None = all) by net sales, then those without sales by name.

    A page ranks the sums alone and then loads only its own outlets (a page of 80,000 outlets stays fast)."""
    figures = outlet_figures(piece, today)
    scope = true() if outlets is None else Outlet.id.in_(outlets.scalar_subquery())
    if limit is None:
        return _outlet_rows(today, figures, scope, [func.coalesce(figures.c.total, 0).desc(), Outlet.id])
    page = db.session.execute(
        db.select(figures).order_by(figures.c.total.desc(), figures.c.outlet_id).offset(offset).limit(limit)
    ).all()
    found = {r.outlet.id: r for r in _outlet_rows(today, None, Outlet.id.in_([p.outlet_id for p in page]), [Outlet.id])}
    rows = [replace(found[p.outlet_id], **{name: int(getattr(p, name) or 0) for name in OUTLET_FIGURES}) for p in page]
    if len(rows) < limit:
        with_sales = offset + len(rows) if rows else db.session.scalar(db.select(func.count()).select_from(figures))
        quiet = scope & Outlet.id.not_in(db.select(figures.c.outlet_id))
        rows += _outlet_rows(
            today, None, quiet, [Outlet.name, Outlet.id], limit - len(rows), max(0, offset - int(with_sales or 0))
        )
    return rows


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


def jobs_by_outlet(outlets: Select[Any] | None, day: date) -> Any:
    """(outlet_id, working, new_jobs) on ``day``: the counted table for today, else counted from the register."""
    if day == roster.staffing_day() and roster.staffing_counted(day):
        return OutletStaffing.__table__
    query = (
        db.select(
            StaffMember.outlet_id.label("outlet_id"),
            func.count(StaffMember.id).label("working"),
            func.count(StaffMember.id).filter(StaffMember.new_job.is_(True)).label("new_jobs"),
        )
        .where(roster.working_on(day))
        .group_by(StaffMember.outlet_id)
    )
    if outlets is not None:
        query = query.where(StaffMember.outlet_id.in_(outlets.scalar_subquery()))
    return query.subquery()


def jobs_summary(outlets: Select[Any] | None, day: date) -> JobsSummary:
    jobs = jobs_by_outlet(outlets, day)
    if jobs is OutletStaffing.__table__ and outlets is None:  # every active outlet has its counted row
        new, working = jobs.c.new_jobs, jobs.c.working
        query = db.select(func.count(), func.count().filter(new < JOBS_TARGET), func.sum(new), func.sum(working))
    else:
        in_scope = outlets_in_scope(outlets).where(Outlet.active.is_(True)).subquery()
        new, working = func.coalesce(jobs.c.new_jobs, 0), func.coalesce(jobs.c.working, 0)
        query = db.select(
            func.count(in_scope.c.id),
            func.count(in_scope.c.id).filter(new < JOBS_TARGET),
            func.sum(new),
            func.sum(working),
        ).outerjoin(jobs, jobs.c.outlet_id == in_scope.c.id)
    count, below, new_jobs, working_now = db.session.execute(query).one()
    return JobsSummary(int(count or 0), int(below or 0), int(new_jobs or 0), int(working_now or 0))


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
    """Active outlets with their people and new jobs on ``day``, fewest new jobs first."""
    jobs = jobs_by_outlet(outlets, day)
    if jobs is OutletStaffing.__table__ and limit is not None:  # rank the counts alone, then load the page
        page = db.select(jobs.c.outlet_id, jobs.c.working, jobs.c.new_jobs)
        if outlets is not None:
            page = page.where(jobs.c.outlet_id.in_(outlets.scalar_subquery()))
        if only_below:
            page = page.where(jobs.c.new_jobs < JOBS_TARGET)
        counted = db.session.execute(page.order_by(jobs.c.new_jobs, jobs.c.outlet_id).offset(offset).limit(limit)).all()
        found = dict(
            (o.id, (o, c))
            for o, c in db.session.execute(
                db.select(Outlet, Cooperative.name)
                .join(Cooperative, Outlet.cooperative_id == Cooperative.id)
                .where(Outlet.id.in_([row.outlet_id for row in counted]))
            )
        )
        return [JobsRow(*found[row.outlet_id], row.working, row.new_jobs) for row in counted if row.outlet_id in found]
    new = func.coalesce(jobs.c.new_jobs, 0)
    query = (
        db.select(Outlet, Cooperative.name, func.coalesce(jobs.c.working, 0), new)
        .join(Cooperative, Outlet.cooperative_id == Cooperative.id)
        .outerjoin(jobs, jobs.c.outlet_id == Outlet.id)
        .where(Outlet.active.is_(True))
        .order_by(new, Outlet.id)
        .offset(offset)
        .limit(limit)
    )
    if outlets is not None:
        query = query.where(Outlet.id.in_(outlets.scalar_subquery()))
    if only_below:
        query = query.where(new < JOBS_TARGET)
    return [JobsRow(o, c, int(w), int(n)) for o, c, w, n in db.session.execute(query)]


def silent_outlets(
    outlets: Select[Any] | None, since: datetime, limit: int = 20
) -> tuple[int, list[tuple[Outlet, Any]]]:
    """Active outlets never synced, then those not heard from since ``since`` (longest silent first): how many,
    and the first ``limit``. Driven by the last-seen index, so the cost follows the silent outlets, not all."""
    seen = OutletSyncState.last_seen_at
    # Not correlated: on Citus the outlets (a reference table) cannot be matched row by row against the
    # distributed sync state, but the set of outlets ever seen is planned once and then compared.
    synced = db.select(OutletSyncState.outlet_id).where(seen.is_not(None))
    never = db.select(Outlet, literal(None)).where(Outlet.active.is_(True), Outlet.id.not_in(synced))
    quiet = (
        db.select(Outlet, seen)
        .join(OutletSyncState, OutletSyncState.outlet_id == Outlet.id)
        .where(Outlet.active.is_(True), seen < since)
    )
    if outlets is not None:
        never = never.where(Outlet.id.in_(outlets.scalar_subquery()))
        quiet = quiet.where(Outlet.id.in_(outlets.scalar_subquery()))
    rows: list[tuple[Outlet, Any]] = []
    count = 0
    for query, order in ((never, [Outlet.name, Outlet.id]), (quiet, [seen, Outlet.id])):
        found = [(o, s) for o, s in db.session.execute(query.order_by(*order).limit(limit)).all()]
        rows += found[: max(0, limit - len(rows))]
        if len(found) < limit:
            count += len(found)
        else:
            subquery = query.with_only_columns(Outlet.id).subquery()
            count += db.session.scalar(db.select(func.count()).select_from(subquery)) or 0
    return count, rows


def outlets_in_scope(outlets: Select[Any] | None) -> Select[Any]:
    query = db.select(Outlet.id)
    return query if outlets is None else query.where(Outlet.id.in_(outlets.scalar_subquery()))
