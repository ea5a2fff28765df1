"""The SQL checker used on central's queries (tests/pg/test_citus_queries_pg.py) finds what Citus refuses."""

from __future__ import annotations

import pytest

from tests.citus_sql import problems

BAD = {
    "SELECT sale_line.net FROM sale_line JOIN sale ON sale.id = sale_line.sale_id WHERE sale.outlet_id = 1": (
        "join of sale and sale_line not on outlet_id"
    ),
    "INSERT INTO shift (uuid, outlet_id) VALUES (%(u)s, 1) ON CONFLICT (uuid) DO NOTHING": (
        "ON CONFLICT (uuid) on shift without outlet_id"
    ),
    "SELECT sale.id FROM sale WHERE sale.uuid = %(k)s": "sale looked up by uuid without its outlet",
    "SELECT uuid, outlet_id, body_hash FROM sync_event WHERE uuid = ANY(%s)": (
        "sync_event looked up by uuid without its outlet"
    ),
    "UPDATE shift SET status=%(s)s WHERE shift.id = %(k)s": "UPDATE of shift without its outlet",
    "SELECT 1 FROM product_day_rollup JOIN sale_line ON sale_line.product_id = product_day_rollup.product_id": (
        "join of sale_line and product_day_rollup: distributed by different keys"
    ),
}

GOOD = [
    "SELECT sale_line.net FROM sale_line JOIN sale ON sale.id = sale_line.sale_id AND sale.outlet_id = "
    "sale_line.outlet_id WHERE sale_line.outlet_id = 1",
    "INSERT INTO shift (uuid, outlet_id) VALUES (%(u)s, 1) ON CONFLICT (outlet_id, uuid) DO NOTHING",
    "SELECT sale.id FROM sale WHERE sale.outlet_id = %(o)s AND sale.uuid = %(k)s",
    "UPDATE statement SET board_signed_at=%(a)s WHERE statement.id = %(id)s AND statement.outlet_id = %(o)s",
    "SELECT outlet.name FROM outlet JOIN outlet_day_rollup ON outlet_day_rollup.outlet_id = outlet.id",
    "SELECT product.uuid FROM product WHERE product.uuid IN (%(k)s)",
    "SELECT statement.id FROM statement WHERE statement.uuid = %(k)s",  # opened from a link: indexed
    "SELECT uuid, outlet_id, body_hash FROM sync_event WHERE outlet_id = %s AND uuid = ANY(%s)",
]


@pytest.mark.parametrize(("sql", "problem"), BAD.items())
def test_what_citus_refuses_is_found(sql: str, problem: str) -> None:
    assert problems(sql) == [problem]


@pytest.mark.parametrize("sql", GOOD)
def test_what_citus_routes_passes(sql: str) -> None:
    assert problems(sql) == []
