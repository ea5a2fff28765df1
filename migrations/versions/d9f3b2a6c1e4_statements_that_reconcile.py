"""statements that reconcile: stock per product in its unit, the rate and the corrected sale on each line, nil
statements

Revision ID: d9f3b2a6c1e4
Revises: c4e2a9f71d08
Create Date: 2026-12-01 20:43:24

A statement's stock block is kept per product, in the product's own unit, so that it reconciles and pieces are
never added to grams. Each of its lines says the rate it was settled at and, for a late correction, the receipt
and date of the sale it corrects. A period with nothing sold, refunded or moved gives a nil statement.
"""

import sqlalchemy as sa
from alembic import op

revision = "d9f3b2a6c1e4"
down_revision = "c4e2a9f71d08"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "statement_stock_line",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("outlet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("statement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_name", sa.String(length=160), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("opening", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("sold", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("returned", sa.BigInteger(), nullable=False),
        sa.Column("written_off", sa.BigInteger(), nullable=False),
        sa.Column("adjusted", sa.BigInteger(), nullable=False),
        sa.Column("closing", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "opening + received - sold + refunded - returned - written_off + adjusted = closing",
            name=op.f("ck_statement_stock_line_reconciles"),
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id", "statement_id"],
            ["statement.outlet_id", "statement.id"],
            name=op.f("fk_statement_stock_line_outlet_id_statement"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_statement_stock_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", "outlet_id", name=op.f("pk_statement_stock_line")),
    )
    with op.batch_alter_table("statement_stock_line", schema=None) as batch_op:
        batch_op.create_index("ix_statement_stock_line_statement_id", ["outlet_id", "statement_id"], unique=False)

    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nil", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("statement_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", sa.String(length=10), nullable=False, server_default="pcs"))
        batch_op.add_column(sa.Column("fee_bp", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("corrects_receipt", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("corrects_date", sa.Date(), nullable=True))
    op.execute(
        "UPDATE statement_line SET unit = "
        "(SELECT product.unit FROM product WHERE product.id = statement_line.product_id)"
    )


def downgrade():
    with op.batch_alter_table("statement_line", schema=None) as batch_op:
        batch_op.drop_column("corrects_date")
        batch_op.drop_column("corrects_receipt")
        batch_op.drop_column("fee_bp")
        batch_op.drop_column("unit")

    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_column("nil")

    with op.batch_alter_table("statement_stock_line", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_stock_line_statement_id")

    op.drop_table("statement_stock_line")
