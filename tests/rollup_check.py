"""Every rollup table, recomputed from the raw sales and lines, must equal what was kept incrementally."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

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
from pos.models.rollups import SHARDS


def _kept(
    model: Any, keys: tuple[str, ...], figures: tuple[str, ...], fold: Any = None
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    out: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * len(figures))
    for row in db.session.execute(db.select(*(getattr(model, c) for c in keys + figures))):
        key = tuple(row[: len(keys)])
        key = fold(key) if fold else key
        for n, value in enumerate(row[len(keys) :]):
            out[key][n] += int(value)
    return {k: tuple(v) for k, v in out.items() if any(v)}


def expected() -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    sales = db.session.execute(
        db.select(Sale.outlet_id, Sale.business_date, Sale.kind, Sale.total, Sale.fee, Sale.investor_share)
    ).all()
    lines = db.session.execute(
        db.select(
            Sale.outlet_id,
            Sale.business_date,
            SaleLine.product_id,
            SaleLine.investor_id,
            SaleLine.quantity,
            SaleLine.net,
            SaleLine.fee,
            SaleLine.investor_share,
        ).join(Sale, SaleLine.sale_id == Sale.id)
    ).all()
    tables: dict[str, dict[tuple[Any, ...], list[int]]] = {
        name: defaultdict(lambda: [0] * 5) for name in ("outlet_day", "outlet_month", "programme_day")
    }
    for outlet, day, kind, total, fee, share in sales:
        figures = (int(kind == SaleKind.SALE), int(kind != SaleKind.SALE), total, fee, share)
        for name, key in (
            ("outlet_day", (outlet, day)),
            ("outlet_month", (outlet, day.replace(day=1))),
            ("programme_day", (day,)),
        ):
            for n, v in enumerate(figures):
                tables[name][key][n] += v
    for name in ("investor_day", "outlet_product_day", "product_day", "product_month"):
        tables[name] = defaultdict(lambda: [0] * 5)
    for outlet, day, product, investor, quantity, net, fee, share in lines:
        for n, v in enumerate((1, net, fee, share)):
            tables["investor_day"][(outlet, investor, day)][n] += v
        for n, v in enumerate((quantity, 1, net, fee, share)):
            tables["outlet_product_day"][(outlet, product, day)][n] += v
            tables["product_day"][(product, day)][n] += v
            tables["product_month"][(product, day.replace(day=1))][n] += v
    return {
        name: {k: tuple(v[:4] if name == "investor_day" else v) for k, v in t.items() if any(v)}
        for name, t in tables.items()
    }


def kept() -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    sale_figures = ("sales", "refunds", "total", "fee", "investor_share")
    product_figures = ("quantity", "lines", "net", "fee", "investor_share")

    def unshard(key: tuple[Any, ...]) -> tuple[Any, ...]:
        assert 0 <= key[-1] < SHARDS
        return key[:-1]

    return {
        "outlet_day": _kept(OutletDayRollup, ("outlet_id", "day"), sale_figures),
        "outlet_month": _kept(OutletMonthRollup, ("outlet_id", "month"), sale_figures),
        "programme_day": _kept(ProgrammeDayRollup, ("day", "shard"), sale_figures, unshard),
        "investor_day": _kept(
            InvestorDayRollup, ("outlet_id", "investor_id", "day"), ("lines", "net", "fee", "investor_share")
        ),
        "outlet_product_day": _kept(OutletProductDayRollup, ("outlet_id", "product_id", "day"), product_figures),
        "product_day": _kept(ProductDayRollup, ("product_id", "day"), product_figures),
        "product_month": _kept(ProductMonthRollup, ("product_id", "month"), product_figures),
    }


def assert_rollups_match() -> None:
    want, have = expected(), kept()
    for name in want:
        assert have[name] == want[name], name
