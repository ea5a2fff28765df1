"""What each member bought in a book year: net purchases (sales less refunds) and how many of each, per outlet.

The rollup is added to in the sale's own transaction (``pos.cashier.sales.write`` on an outlet node or the
all-in-one server, and central's ingest), and can always be recomputed from the sales (``rebuild``): the two agree
(``tests/web/test_member_purchases.py`` and its PostgreSQL twin).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, func

from pos.core import clock
from pos.domain.periods import book_year_bounds, book_year_of
from pos.extensions import db
from pos.models import Cooperative, MemberYearRollup, Outlet, Sale, SaleKind

FIGURES = ("purchases", "sales", "refunds")


def _start_month(outlet_id: int) -> int:
    month = db.session.scalar(
        db.select(Cooperative.book_year_start_month)
        .join(Outlet, Outlet.cooperative_id == Cooperative.id)
        .where(Outlet.id == outlet_id)
    )
    return month or 1


def add(outlet_id: int, sales: Iterable[Mapping[str, Any]], start_month: int | None = None) -> None:
    """Add sales (member_id, kind, business_date, total) to the rollup; sales without a member are skipped."""
    from pos.reports.rollups import accumulate

    buckets: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    month = start_month
    for sale in sales:
        member = sale.get("member_id")
        if member is None:
            continue
        if month is None:
            month = _start_month(outlet_id)
        bucket = buckets[(member, book_year_of(sale["business_date"], month))]
        bucket[0] += sale["total"]
        bucket[1 if sale["kind"] in (SaleKind.SALE, "sale") else 2] += 1
    now = clock.now()
    accumulate(
        MemberYearRollup,
        ["outlet_id", "member_id", "book_year"],
        FIGURES,
        [
            {
                "outlet_id": outlet_id,
                "member_id": m,
                "book_year": y,
                "updated_at": now,
                **dict(zip(FIGURES, v, strict=True)),
            }
            for (m, y), v in sorted(buckets.items())
        ],
    )


def rebuild(cooperative_id: int | None = None) -> None:
    """Recompute the rollup from the sales (all outlets, or one cooperative's after its book year moved)."""
    outlets = db.select(Outlet.id, Cooperative.book_year_start_month).join(Cooperative, Outlet.cooperative)
    if cooperative_id is not None:
        outlets = outlets.where(Outlet.cooperative_id == cooperative_id)
    for outlet_id, month in db.session.execute(outlets).all():
        db.session.execute(delete(MemberYearRollup).where(MemberYearRollup.outlet_id == outlet_id))
        rows = db.session.execute(
            db.select(Sale.member_id, Sale.kind, Sale.business_date, Sale.total).where(
                Sale.outlet_id == outlet_id, Sale.member_id.is_not(None)
            )
        ).mappings()
        add(outlet_id, list(rows), month)


def raw(cooperative_id: int, year: int) -> dict[int, tuple[int, int, int]]:
    """Each member's (purchases, sales, refunds) in the book year, summed from the sales themselves."""
    month = db.session.get_one(Cooperative, cooperative_id).book_year_start_month
    first, last = book_year_bounds(year, month)
    is_sale = Sale.kind == SaleKind.SALE
    query = (
        db.select(
            Sale.member_id,
            func.sum(Sale.total),
            func.sum(db.case((is_sale, 1), else_=0)),
            func.sum(db.case((is_sale, 0), else_=1)),
        )
        .join(Outlet, Outlet.id == Sale.outlet_id)
        .where(Outlet.cooperative_id == cooperative_id, Sale.member_id.is_not(None))
        .where(Sale.business_date.between(first, last))
        .group_by(Sale.member_id)
    )
    return {m: (int(p), int(s), int(r)) for m, p, s, r in db.session.execute(query)}


def of_year(cooperative_id: int, year: int) -> dict[int, tuple[int, int, int]]:
    """Each member's (purchases, sales, refunds) in the book year at all the cooperative's outlets, from the
    rollup."""
    query = (
        db.select(
            MemberYearRollup.member_id,
            func.sum(MemberYearRollup.purchases),
            func.sum(MemberYearRollup.sales),
            func.sum(MemberYearRollup.refunds),
        )
        .join(Outlet, Outlet.id == MemberYearRollup.outlet_id)
        .where(Outlet.cooperative_id == cooperative_id, MemberYearRollup.book_year == year)
        .group_by(MemberYearRollup.member_id)
    )
    return {m: (int(p), int(s), int(r)) for m, p, s, r in db.session.execute(query)}


def current_year(cooperative: Cooperative, today: date | None = None) -> int:
    return book_year_of(today or clock.today(), cooperative.book_year_start_month)
