"""Report rollups, kept with the sales they sum.

Central keeps them at ingest; an all-in-one server (no sync) keeps them at checkout. Every statement is one
multi-row ``INSERT … ON CONFLICT DO UPDATE`` in key order, so concurrent ingests never deadlock on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete

from pos.core import clock, upsert
from pos.extensions import db
from pos.models import (
    InvestorDayRollup,
    OutletDayRollup,
    OutletMonthRollup,
    OutletProductDayRollup,
    ProductDayRollup,
    ProductMonthRollup,
    ProgrammeDayRollup,
    Sale,
    SaleKind,
    SaleLine,
)
from pos.models.base import Base
from pos.models.rollups import SHARDS

SALE_FIGURES = ("sales", "refunds", "total", "fee", "investor_share")
INVESTOR_FIGURES = ("lines", "net", "fee", "investor_share")
PRODUCT_FIGURES = ("quantity", "lines", "net", "fee", "investor_share")


def accumulate(model: type[Base], keys: list[str], figures: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Add rows (one per key, in key order) to a table of running sums: one INSERT … ON CONFLICT DO UPDATE."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # the rows travel as one array per column: no per-row SQL text to build or parse
        columns = list(rows[0])
        arrays = ", ".join(f"%s::{table.c[name].type.compile(dialect=connection.dialect)}[]" for name in columns)
        changes = [f"{name} = {table.name}.{name} + excluded.{name}" for name in figures]
        if "updated_at" in columns:
            changes.append("updated_at = excluded.updated_at")
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(changes)}"
        )
        with connection.connection.driver_connection.cursor() as cursor:
            cursor.execute(sql, [[row[name] for row in rows] for name in columns])
        return
    stmt = upsert.insert(model)
    update: dict[str, Any] = {name: table.c[name] + stmt.excluded[name] for name in figures}
    if "updated_at" in table.c:
        update["updated_at"] = stmt.excluded.updated_at
    db.session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update), rows)


def _named(names: tuple[str, ...], values: list[int]) -> dict[str, int]:
    return dict(zip(names, values, strict=True))


def _sum_into(buckets: dict[Any, list[int]], key: Any, values: Iterable[int]) -> None:
    bucket = buckets[key]
    for n, value in enumerate(values):
        bucket[n] += value


def add(outlet_id: int, sales: Iterable[Mapping[str, Any]], lines: Iterable[Mapping[str, Any]]) -> None:
    """Add sales (kind, business_date, total, fee, investor_share) and their lines (product_id, investor_id,
    day, quantity, net, fee, investor_share) to every rollup, in the caller's transaction."""
    shard = outlet_id % SHARDS
    by_investor: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * 4)
    by_product: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * 5)
    investor_of: dict[int, int] = {}
    for line in lines:
        _sum_into(
            by_investor, (line["investor_id"], line["day"]), (1, line["net"], line["fee"], line["investor_share"])
        )
        _sum_into(
            by_product,
            (line["product_id"], line["day"]),
            (line["quantity"], 1, line["net"], line["fee"], line["investor_share"]),
        )
        investor_of[line["product_id"]] = line["investor_id"]
    by_day: dict[date, list[int]] = defaultdict(lambda: [0] * 5)
    for sale in sales:
        is_sale = sale["kind"] == SaleKind.SALE
        _sum_into(
            by_day,
            sale["business_date"],
            (int(is_sale), int(not is_sale), sale["total"], sale["fee"], sale["investor_share"]),
        )
    by_month: dict[date, list[int]] = defaultdict(lambda: [0] * 5)
    for day, values in by_day.items():
        _sum_into(by_month, day.replace(day=1), values)
    now = clock.now()
    accumulate(
        InvestorDayRollup,
        ["outlet_id", "investor_id", "day"],
        INVESTOR_FIGURES,
        [
            {
                "outlet_id": outlet_id,
                "investor_id": i,
                "day": d,
                **_named(INVESTOR_FIGURES, v),
            }
            for (i, d), v in sorted(by_investor.items())
        ],
    )
    accumulate(
        OutletProductDayRollup,
        ["outlet_id", "product_id", "day"],
        PRODUCT_FIGURES,
        [
            {
                "outlet_id": outlet_id,
                "product_id": p,
                "day": d,
                "investor_id": investor_of[p],
                **_named(PRODUCT_FIGURES, v),
            }
            for (p, d), v in sorted(by_product.items())
        ],
    )
    by_product_month: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * 5)
    for (p, d), v in by_product.items():
        _sum_into(by_product_month, (p, d.replace(day=1)), v)
    for model, column, buckets in (
        (ProductDayRollup, "day", by_product),
        (ProductMonthRollup, "month", by_product_month),
    ):
        accumulate(
            model,
            ["product_id", column],
            PRODUCT_FIGURES,
            [
                {"product_id": p, column: d, "investor_id": investor_of[p], **_named(PRODUCT_FIGURES, v)}
                for (p, d), v in sorted(buckets.items())
            ],
        )
    for model, column, buckets in ((OutletDayRollup, "day", by_day), (OutletMonthRollup, "month", by_month)):
        accumulate(
            model,
            ["outlet_id", column],
            SALE_FIGURES,
            [
                {"outlet_id": outlet_id, column: d, "updated_at": now, **_named(SALE_FIGURES, v)}
                for d, v in sorted(buckets.items())
            ],
        )
    accumulate(
        ProgrammeDayRollup,
        ["day", "shard"],
        SALE_FIGURES,
        [{"day": d, "shard": shard, **_named(SALE_FIGURES, v)} for d, v in sorted(by_day.items())],
    )


def rebuild() -> None:
    """Recompute every rollup from the sales themselves (after a bulk load such as the demo's history)."""
    for model in (
        InvestorDayRollup,
        OutletProductDayRollup,
        ProductDayRollup,
        ProductMonthRollup,
        OutletDayRollup,
        OutletMonthRollup,
        ProgrammeDayRollup,
    ):
        db.session.execute(delete(model))
    for outlet_id in db.session.scalars(db.select(Sale.outlet_id).distinct()):
        sales = db.session.execute(
            db.select(Sale.kind, Sale.business_date, Sale.total, Sale.fee, Sale.investor_share).where(
                Sale.outlet_id == outlet_id
            )
        ).mappings()
        lines = db.session.execute(
            db.select(
                SaleLine.product_id,
                SaleLine.investor_id,
                Sale.business_date.label("day"),
                SaleLine.quantity,
                SaleLine.net,
                SaleLine.fee,
                SaleLine.investor_share,
            )
            .join(Sale, SaleLine.sale)
            .where(SaleLine.outlet_id == outlet_id)
        ).mappings()
        add(outlet_id, list(sales), list(lines))
