"""keys that Citus can distribute by outlet

Revision ID: a7c3e1d20b55
Revises: 3c9a1f2b7d10
Create Date: 2026-12-01 17:40:00

Every table of an outlet's records carries ``outlet_id`` (children take it from their parent), is keyed by
``(id, outlet_id)``, is unique within its outlet (``(outlet_id, uuid)``, ``(outlet_id, number)``,
``(outlet_id, idempotency_key)``) and refers to its parent by ``(outlet_id, <parent>_id)``. Every id is a BIGINT
on PostgreSQL, sequences included. See ``pos.models.placement`` and the README's "Running central on Citus".

On SQLite a table's key stays its id (the rowid); ``uq_<table>_outlet_id_id`` stands beside it for the composite
foreign keys to refer to.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "a7c3e1d20b55"
down_revision = "3c9a1f2b7d10"
branch_labels = None
depends_on = None

# Tables that get ``outlet_id`` from their parent, parents first: table -> (parent, column naming the parent).
CHILDREN = {
    "cash_movement": ("shift", "shift_id"),
    "cart": ("shift", "shift_id"),
    "cart_line": ("cart", "cart_id"),
    "sale_line": ("sale", "sale_id"),
    "payment": ("sale", "sale_id"),
    "delivery_line": ("delivery", "delivery_id"),
    "stock_count_line": ("stock_count", "count_id"),
    "stock_return_line": ("stock_return", "return_id"),
    "restock_line": ("restock_request", "request_id"),
    "statement_line": ("statement", "statement_id"),
    "statement_payment": ("statement", "statement_id"),
    "dispute": ("statement", "statement_id"),
    "settled_line": ("statement", "statement_id"),
}

# Keyed by (id, outlet_id) from now on.
ID_KEYED = (
    "shift",
    "cash_movement",
    "cart",
    "cart_line",
    "sale",
    "sale_line",
    "payment",
    "stock_movement",
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
    "statement_payment",
    "dispute",
    "staff_member",
    "outbox_event",
    "sync_event",
    "sync_conflict",
)

# Foreign keys between outlet rows: (table, column, parent). They become (outlet_id, column) -> (outlet_id, id).
LINKS = (
    ("cash_movement", "shift_id", "shift"),
    ("cart", "shift_id", "shift"),
    ("cart_line", "cart_id", "cart"),
    ("sale", "shift_id", "shift"),
    ("sale", "original_id", "sale"),
    ("sale_line", "sale_id", "sale"),
    ("sale_line", "original_line_id", "sale_line"),
    ("payment", "sale_id", "sale"),
    ("delivery_line", "delivery_id", "delivery"),
    ("stock_count_line", "count_id", "stock_count"),
    ("stock_return_line", "return_id", "stock_return"),
    ("restock_request", "delivery_id", "delivery"),
    ("restock_line", "request_id", "restock_request"),
    ("statement_line", "statement_id", "statement"),
    ("settled_line", "sale_line_id", "sale_line"),
    ("settled_line", "statement_id", "statement"),
    ("statement_payment", "statement_id", "statement"),
    ("dispute", "statement_id", "statement"),
)

# Unique within an outlet from now on: (table, column).
UNIQUES = tuple(
    (table, "uuid")
    for table in (
        "shift",
        "cash_movement",
        "cart",
        "sale",
        "sale_line",
        "payment",
        "stock_movement",
        "delivery",
        "stock_count",
        "stock_return",
        "restock_request",
        "statement",
        "statement_payment",
        "dispute",
        "staff_member",
        "outbox_event",
        "sync_event",
    )
) + tuple(
    (table, "number") for table in ("delivery", "stock_count", "stock_return", "restock_request", "statement")
) + (("sale", "idempotency_key"),)


def _where(column: str) -> dict[str, sa.TextClause]:
    condition = sa.text(f"{column} IS NOT NULL")
    return {"postgresql_where": condition, "sqlite_where": condition}


# Indexes that lead with outlet_id now: (table, name, old columns, new columns, unique, partial on).
INDEXES = (
    ("cash_movement", "ix_cash_movement_shift_id", ["shift_id"], ["outlet_id", "shift_id"], False, None),
    ("cart", "ix_cart_shift_open", ["shift_id", "closed"], ["outlet_id", "shift_id", "closed"], False, None),
    ("cart_line", "ix_cart_line_cart_id", ["cart_id"], ["outlet_id", "cart_id"], False, None),
    ("sale", "ix_sale_shift_id", ["shift_id"], ["outlet_id", "shift_id"], False, None),
    ("sale", "ix_sale_original_id", ["original_id"], ["outlet_id", "original_id"], False, "original_id"),
    ("sale_line", "ix_sale_line_sale_id", ["sale_id"], ["outlet_id", "sale_id"], False, None),
    (
        "sale_line",
        "ix_sale_line_original_line_id",
        ["original_line_id"],
        ["outlet_id", "original_line_id"],
        False,
        "original_line_id",
    ),
    ("payment", "ix_payment_sale_id", ["sale_id"], ["outlet_id", "sale_id"], False, None),
    ("delivery_line", "ix_delivery_line_delivery_id", ["delivery_id"], ["outlet_id", "delivery_id"], False, None),
    (
        "stock_count_line",
        "uq_stock_count_line_product",
        ["count_id", "product_id"],
        ["outlet_id", "count_id", "product_id"],
        True,
        None,
    ),
    ("stock_return_line", "ix_stock_return_line_return_id", ["return_id"], ["outlet_id", "return_id"], False, None),
    ("restock_line", "ix_restock_line_request_id", ["request_id"], ["outlet_id", "request_id"], False, None),
    ("statement_line", "ix_statement_line_statement_id", ["statement_id"], ["outlet_id", "statement_id"], False, None),
    ("settled_line", "ix_settled_line_statement_id", ["statement_id"], ["outlet_id", "statement_id"], False, None),
    (
        "statement_payment",
        "ix_statement_payment_statement_id",
        ["statement_id"],
        ["outlet_id", "statement_id"],
        False,
        None,
    ),
    ("dispute", "ix_dispute_statement_id", ["statement_id"], ["outlet_id", "statement_id"], False, None),
    (
        "statement",
        "uq_statement_period",
        ["agreement_id", "outlet_id", "period_start"],
        ["outlet_id", "agreement_id", "period_start"],
        True,
        None,
    ),
)

# Single-column outlet indexes now served by (outlet_id, uuid); the same documents are opened by central's users
# from links that carry only their UUID, so that gets an index of its own.
OUTLET_INDEXES = ("delivery", "stock_count", "stock_return", "restock_request", "statement", "staff_member")


ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _tables() -> list[str]:
    seen: list[str] = []
    for table in (*CHILDREN, *ID_KEYED):
        if table not in seen:
            seen.append(table)
    return seen


def _backfill() -> None:
    for table, (parent, column) in CHILDREN.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("outlet_id", ID, nullable=True))
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"UPDATE {table} SET outlet_id = p.outlet_id FROM {parent} p WHERE p.id = {table}.{column}")
        else:
            op.execute(
                f"UPDATE {table} SET outlet_id = (SELECT p.outlet_id FROM {parent} p WHERE p.id = {table}.{column})"
            )


def _unlink(batch: Any, table: str) -> None:
    for child, column, parent in LINKS:
        if child == table:
            batch.drop_constraint(f"fk_{child}_{column}_{parent}", type_="foreignkey")


def _rekey(batch: Any, table: str) -> None:
    if table in CHILDREN:
        # the outlet is the parent's, which the composite foreign key to the parent proves
        batch.alter_column("outlet_id", existing_type=ID, nullable=False)
    for name, column in UNIQUES:
        if name == table:
            batch.drop_constraint(f"uq_{table}_{column}", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_outlet_id_{column}", ["outlet_id", column])
    for name, index, old, new, unique, partial in INDEXES:
        if name == table:
            batch.drop_index(index)
            batch.create_index(index, new, unique=unique, **(_where(partial) if partial else {}))
    if table in OUTLET_INDEXES:
        batch.drop_index(f"ix_{table}_outlet_id")
        batch.create_index(f"ix_{table}_uuid", ["uuid"])
    batch.drop_constraint(f"pk_{table}", type_="primary")
    key = ["outlet_id", "sale_line_id"] if table == "settled_line" else ["id", "outlet_id"]
    batch.create_primary_key(f"pk_{table}", key)


def _link(batch: Any, table: str) -> None:
    for child, column, parent in LINKS:
        if child == table:
            batch.create_foreign_key(
                f"fk_{child}_outlet_id_{parent}", parent, ["outlet_id", column], ["outlet_id", "id"]
            )


def upgrade():
    _backfill()
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilds each table once, with every change; foreign keys are checked after the migration.
        for table in _tables():
            with op.batch_alter_table(table, recreate="always") as batch:
                _unlink(batch, table)
                _rekey(batch, table)
                _link(batch, table)
        return
    for step in (_unlink, _rekey, _link):
        for table in _tables():
            with op.batch_alter_table(table) as batch:
                step(batch, table)
    _ids_to("bigint")


def _ids_to(kind: str) -> None:
    """Every id column and every sequence behind one as ``kind`` (PostgreSQL)."""
    bind = op.get_bind()
    columns = bind.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = :old "
            "AND (column_name = 'id' OR column_name LIKE '%\\_id') AND table_name <> 'sync_change' "
            "ORDER BY table_name, column_name"
        ),
        {"old": "integer" if kind == "bigint" else "bigint"},
    ).all()
    by_table: dict[str, list[str]] = {}
    for table, column in columns:
        by_table.setdefault(table, []).append(column)
    for table, names in by_table.items():  # one rewrite of each table
        op.execute(f'ALTER TABLE "{table}" ' + ", ".join(f'ALTER COLUMN "{c}" TYPE {kind}' for c in names))
        for column in names:
            sequence = bind.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column}).scalar()
            if sequence:
                op.execute(f"ALTER SEQUENCE {sequence} AS {kind}")


def downgrade():
    tables = _tables()
    if op.get_bind().dialect.name == "sqlite":
        for table in tables:
            with op.batch_alter_table(table, recreate="always") as batch:
                _unlink_composite(batch, table)
                _unkey(batch, table)
                _relink(batch, table)
    else:
        _ids_to("integer")
        for step in (_unlink_composite, _unkey, _relink):
            for table in tables:
                with op.batch_alter_table(table) as batch:
                    step(batch, table)
    for table in reversed(CHILDREN):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("outlet_id")


def _unlink_composite(batch: Any, table: str) -> None:
    for child, _column, parent in LINKS:
        if child == table:
            batch.drop_constraint(f"fk_{child}_outlet_id_{parent}", type_="foreignkey")


def _unkey(batch: Any, table: str) -> None:
    batch.drop_constraint(f"pk_{table}", type_="primary")
    batch.create_primary_key(f"pk_{table}", ["sale_line_id"] if table == "settled_line" else ["id"])
    if table in OUTLET_INDEXES:
        batch.drop_index(f"ix_{table}_uuid")
        batch.create_index(f"ix_{table}_outlet_id", ["outlet_id"])
    for name, index, old, new, unique, partial in INDEXES:
        if name == table:
            batch.drop_index(index)
            batch.create_index(index, old, unique=unique, **(_where(partial) if partial else {}))
    for name, column in UNIQUES:
        if name == table:
            batch.drop_constraint(f"uq_{table}_outlet_id_{column}", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_{column}", [column])


def _relink(batch: Any, table: str) -> None:
    for child, column, parent in LINKS:
        if child == table:
            batch.create_foreign_key(f"fk_{child}_{column}_{parent}", parent, [column], ["id"])
