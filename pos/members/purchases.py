"""What each member bought: net purchases (sales less refunds) and how many sales and refunds, per outlet and
calendar month; a book year (whole months from the cooperative's start month) is the sum of its months.

The rollup is added to in the sale's own transaction (``pos.cashier.sales.write`` on an outlet node or the
all-in-one server, and central's ingest), and can always be recomputed from the sales (``rebuild``): the two agree
(``tests/web/test_member_till.py``, ``tests/web/test_member_sync.py`` and ``tests/pg/test_sync_pg.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, func

from pos.core import clock, prepared, upsert
from pos.domain.periods import book_year_bounds, book_year_of
from pos.extensions import db
from pos.models import Cooperative, MemberMonthRollup, Outlet, Sale, SaleKind

FIGURES = ("purchases", "sales", "refunds")
Figures = tuple[int, int, int]  # purchases, sales, refunds


def add(outlet_id: int, sales: Iterable[Mapping[str, Any]]) -> None:
    """Add sales (member_id, kind, business_date, total) to the rollup; sales without a member are skipped."""
    from pos.reports.rollups import accumulate

    buckets: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sale in sales:
        member = sale.get("member_id")
        if member is None:
            continue
        bucket = buckets[(member, sale["business_date"].replace(day=1))]
        bucket[0] += sale["total"]
        bucket[1 if sale["kind"] in (SaleKind.SALE, "sale") else 2] += 1
    now = clock.now()
    accumulate(
        MemberMonthRollup,
        ["outlet_id", "member_id", "month"],
        FIGURES,
        [
            {
                "outlet_id": outlet_id,
                "member_id": m,
                "month": d,
                "updated_at": now,
                **dict(zip(FIGURES, v, strict=True)),
            }
            for (m, d), v in sorted(buckets.items())
        ],
    )


@prepared.per_dialect
def _add_one() -> Any:
    table = MemberMonthRollup.__table__
    stmt = upsert.insert(table).values(
        outlet_id=bindparam("outlet"),
        member_id=bindparam("member"),
        month=bindparam("month"),
        purchases=bindparam("purchases"),
        sales=bindparam("sales"),
        refunds=bindparam("refunds"),
        updated_at=bindparam("now"),
    )
    return stmt.on_conflict_do_update(
        index_elements=["outlet_id", "member_id", "month"],
        set_={
            "purchases": table.c.purchases + stmt.excluded.purchases,
            "sales": table.c.sales + stmt.excluded.sales,
            "refunds": table.c.refunds + stmt.excluded.refunds,
            "updated_at": stmt.excluded.updated_at,
        },
    )


def add_sale(outlet_id: int, member_id: int, kind: SaleKind, day: date, total: int) -> None:
    """One sale, refund or void at the till: one prepared upsert (the checkout's hot path)."""
    is_sale = kind == SaleKind.SALE
    db.session.connection().execute(
        _add_one(),
        {
            "outlet": outlet_id,
            "member": member_id,
            "month": day.replace(day=1),
            "purchases": total,
            "sales": int(is_sale),
            "refunds": int(not is_sale),
            "now": clock.now(),
        },
    )


def rebuild(outlet_id: int | None = None) -> None:
    """Recompute the rollup from the sales (of every outlet, or one)."""
    outlets = db.select(Outlet.id)
    if outlet_id is not None:
        outlets = outlets.where(Outlet.id == outlet_id)
    for found in db.session.scalars(outlets).all():
        db.session.execute(delete(MemberMonthRollup).where(MemberMonthRollup.outlet_id == found))
        rows = db.session.execute(
            db.select(Sale.member_id, Sale.kind, Sale.business_date, Sale.total).where(
                Sale.outlet_id == found, Sale.member_id.is_not(None)
            )
        ).mappings()
        add(found, list(rows))


def _bounds(cooperative_id: int, year: int) -> tuple[date, date]:
    month = db.session.get_one(Cooperative, cooperative_id).book_year_start_month
    return book_year_bounds(year, month)


def raw(cooperative_id: int, year: int) -> dict[int, Figures]:
    """Each member's figures in the book year, summed from the sales themselves."""
    first, last = _bounds(cooperative_id, year)
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


def between(cooperative_id: int, first: date, last: date) -> dict[int, Figures]:
    """Each member's figures in the months from ``first`` to ``last`` at all the cooperative's outlets."""
    r = MemberMonthRollup
    query = (
        db.select(r.member_id, func.sum(r.purchases), func.sum(r.sales), func.sum(r.refunds))
        .join(Outlet, Outlet.id == r.outlet_id)
        .where(Outlet.cooperative_id == cooperative_id, r.month.between(first.replace(day=1), last))
        .group_by(r.member_id)
    )
    return {m: (int(p), int(s), int(n)) for m, p, s, n in db.session.execute(query)}


def of_year(cooperative_id: int, year: int) -> dict[int, Figures]:
    """Each member's figures in the book year, from the rollup."""
    return between(cooperative_id, *_bounds(cooperative_id, year))


def current_year(cooperative: Cooperative, today: date | None = None) -> int:
    return book_year_of(today or clock.today(), cooperative.book_year_start_month)
