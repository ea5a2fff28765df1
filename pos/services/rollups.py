"""Report rollups: per outlet and day, and per outlet, investor and day, kept with the sales they sum.

Central keeps them at ingest; an all-in-one server (no sync) keeps them at checkout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, func

from pos.extensions import db
from pos.models import InvestorDayRollup, OutletDayRollup, Sale, SaleKind, SaleLine
from pos.models.base import utcnow
from pos.services import upsert


def add(outlet_id: int, sales: Iterable[Mapping[str, Any]], lines: Iterable[Mapping[str, Any]]) -> None:
    """Add sales (kind, business_date, total, fee, investor_share) and their lines (investor_id, day, net,
    fee, investor_share) to the rollups, in the caller's transaction."""
    by_investor: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for line in lines:
        bucket = by_investor[(line["investor_id"], line["day"])]
        bucket[0] += 1
        bucket[1] += line["net"]
        bucket[2] += line["fee"]
        bucket[3] += line["investor_share"]
    if by_investor:
        stmt = upsert.insert(InvestorDayRollup)
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["outlet_id", "investor_id", "day"],
                set_={
                    "lines": InvestorDayRollup.lines + stmt.excluded.lines,
                    "net": InvestorDayRollup.net + stmt.excluded.net,
                    "fee": InvestorDayRollup.fee + stmt.excluded.fee,
                    "investor_share": InvestorDayRollup.investor_share + stmt.excluded.investor_share,
                },
            ),
            [
                {
                    "outlet_id": outlet_id,
                    "investor_id": investor,
                    "day": day,
                    "lines": v[0],
                    "net": v[1],
                    "fee": v[2],
                    "investor_share": v[3],
                }
                for (investor, day), v in sorted(by_investor.items())
            ],
        )
    by_day: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for sale in sales:
        bucket = by_day[sale["business_date"]]
        bucket[0 if sale["kind"] == SaleKind.SALE else 1] += 1
        bucket[2] += sale["total"]
        bucket[3] += sale["fee"]
        bucket[4] += sale["investor_share"]
    if not by_day:
        return
    stmt = upsert.insert(OutletDayRollup)
    now = utcnow()
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["outlet_id", "day"],
            set_={
                "sales": OutletDayRollup.sales + stmt.excluded.sales,
                "refunds": OutletDayRollup.refunds + stmt.excluded.refunds,
                "total": OutletDayRollup.total + stmt.excluded.total,
                "fee": OutletDayRollup.fee + stmt.excluded.fee,
                "investor_share": OutletDayRollup.investor_share + stmt.excluded.investor_share,
                "updated_at": stmt.excluded.updated_at,
            },
        ),
        [
            {
                "outlet_id": outlet_id,
                "day": day,
                "sales": v[0],
                "refunds": v[1],
                "total": v[2],
                "fee": v[3],
                "investor_share": v[4],
                "updated_at": now,
            }
            for day, v in sorted(by_day.items())
        ],
    )


def add_sale(sale: Sale) -> None:
    """One sale just completed (or refunded) on an all-in-one server."""
    add(
        sale.outlet_id,
        [
            {
                "kind": sale.kind,
                "business_date": sale.business_date,
                "total": sale.total,
                "fee": sale.fee,
                "investor_share": sale.investor_share,
            }
        ],
        [
            {
                "investor_id": ln.investor_id,
                "day": sale.business_date,
                "net": ln.net,
                "fee": ln.fee,
                "investor_share": ln.investor_share,
            }
            for ln in sale.lines
        ],
    )


def rebuild() -> None:
    """Recompute every rollup from the sales themselves (after a bulk load such as the demo's history)."""
    db.session.execute(delete(InvestorDayRollup))
    db.session.execute(delete(OutletDayRollup))
    for outlet_id in db.session.scalars(db.select(Sale.outlet_id).distinct()):
        sales = db.session.execute(
            db.select(Sale.kind, Sale.business_date, Sale.total, Sale.fee, Sale.investor_share).where(
                Sale.outlet_id == outlet_id
            )
        ).mappings()
        lines = db.session.execute(
            db.select(
                SaleLine.investor_id,
                Sale.business_date.label("day"),
                func.sum(SaleLine.net).label("net"),
                func.sum(SaleLine.fee).label("fee"),
                func.sum(SaleLine.investor_share).label("investor_share"),
                func.count(SaleLine.id).label("lines"),
            )
            .join(Sale, SaleLine.sale_id == Sale.id)
            .where(Sale.outlet_id == outlet_id)
            .group_by(SaleLine.investor_id, Sale.business_date)
        ).mappings()
        add(outlet_id, list(sales), [])
        for row in lines:
            stmt = upsert.insert(InvestorDayRollup)
            db.session.execute(
                stmt.values(
                    outlet_id=outlet_id,
                    investor_id=row["investor_id"],
                    day=row["day"],
                    lines=row["lines"],
                    net=row["net"],
                    fee=row["fee"],
                    investor_share=row["investor_share"],
                )
            )
