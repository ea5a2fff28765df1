"""cash rounding per outlet, as its own line of each sale

Revision ID: c4e2a9f71d08
Revises: b81d0c3e5f21
Create Date: 2026-12-01 20:40:00

An outlet may round the cash part of a payment to Rp100 or Rp500 so the drawer can be paid in coins. The
difference is the sale's rounding: paid − change == total + rounding, outside the goods lines, so the fee and
the investor's share never change. The manager's till settings carry the time they were changed, so the newer
copy wins between an outlet node and central.
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e2a9f71d08"
down_revision = "b81d0c3e5f21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outlet") as batch:
        batch.add_column(sa.Column("cash_rounding", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("settings_updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(op.f("ck_outlet_cash_rounding_step"), "cash_rounding IN (0, 100, 500)")
    with op.batch_alter_table("sale") as batch:
        batch.add_column(sa.Column("rounding", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("sale") as batch:
        batch.drop_column("rounding")
    with op.batch_alter_table("outlet") as batch:
        batch.drop_constraint(op.f("ck_outlet_cash_rounding_step"), type_="check")
        batch.drop_column("settings_updated_at")
        batch.drop_column("cash_rounding")
