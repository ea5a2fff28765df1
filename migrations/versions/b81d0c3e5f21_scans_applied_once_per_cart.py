"""scans applied once per cart; the drawer counted blind

Revision ID: b81d0c3e5f21
Revises: a7c3e1d20b55
Create Date: 2026-12-01 18:20:00

The till gives every code it reads an id and sends a scan again when its answer was lost; the cart keeps the
ids of its last scans so each is applied once. Closing a shift, the cashier counts the drawer before seeing
the expected cash, unless the outlet shows it first.
"""

import sqlalchemy as sa
from alembic import op

revision = "b81d0c3e5f21"
down_revision = "a7c3e1d20b55"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cart") as batch:
        batch.add_column(sa.Column("scans", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("outlet") as batch:
        batch.add_column(sa.Column("show_expected_cash", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("outlet") as batch:
        batch.drop_column("show_expected_cash")
    with op.batch_alter_table("cart") as batch:
        batch.drop_column("scans")
