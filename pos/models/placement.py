"""Where each of central's tables lives when central grows past one machine (Citus, DESIGN §3).

Reference tables are copied to every node: the catalogue, organisations, people, terms, registers, tokens, the
audit trail and the change feed — small, read everywhere, written rarely. Everything an outlet produces or
receives is distributed by ``outlet_id`` and co-located, so one outlet's sale, lines, payments, stock and
statements sit on one node and join there. The programme-wide rollups are distributed by their own key.

``kmp-pos central distribute`` and the catalogue check (``tests/pg/test_citus_rules_pg.py``) read these lists;
a table in none of them fails that check.
"""

from __future__ import annotations

REFERENCE: tuple[str, ...] = (
    "cooperative",
    "outlet",
    "investor",
    "category",
    "app_user",
    "login_session",
    "product",
    "price_change",
    "product_photo",
    "agreement",
    "agreement_version",
    "agreement_category_rate",
    "agreement_outlet",
    "register",
    "member",
    "shu_calculation",
    "shu_allocation",
    "shu_part",
    "outlet_token",
    "audit_event",
    "sync_change",
    "sync_status",
)

# Parents before children: Citus distributes a table only after the tables its foreign keys point to.
PER_OUTLET: tuple[str, ...] = (
    "shift",
    "cash_movement",
    "cart",
    "cart_line",
    "sale",
    "sale_line",
    "payment",
    "receipt_sequence",
    "print_job",
    "stock_movement",
    "stock_balance",
    "reorder_level",
    "delivery",
    "delivery_line",
    "stock_count",
    "stock_count_line",
    "stock_return",
    "stock_return_line",
    "restock_request",
    "restock_line",
    "statement",
    "statement_line",
    "statement_stock_line",
    "statement_payment",
    "dispute",
    "settled_line",
    "staff_member",
    "outlet_staffing",
    "outbox_event",
    "sync_event",
    "sync_conflict",
    "outlet_sync_state",
    "outlet_day_rollup",
    "outlet_month_rollup",
    "investor_day_rollup",
    "outlet_product_day_rollup",
    "member_month_rollup",
)

# Rollups of the whole programme, each distributed by the key its rows are spread over.
BY_OWN_KEY: dict[str, str] = {
    "programme_day_rollup": "day",
    "product_day_rollup": "product_id",
    "product_month_rollup": "product_id",
}

DISTRIBUTION_COLUMN = "outlet_id"

# Kept by Alembic; never distributed.
UNPLACED: tuple[str, ...] = ("alembic_version",)


def placement(table: str) -> str:
    """``reference``, ``per_outlet``, ``own_key`` or ``unplaced``; KeyError for a table nobody placed."""
    if table in REFERENCE:
        return "reference"
    if table in PER_OUTLET:
        return "per_outlet"
    if table in BY_OWN_KEY:
        return "own_key"
    if table in UNPLACED:
        return "unplaced"
    raise KeyError(table)
