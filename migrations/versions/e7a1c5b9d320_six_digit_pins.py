"""six-digit PINs for everyone new; existing outlets keep their staff's short PINs until a reset

Revision ID: e7a1c5b9d320
Revises: d9f3b2a6c1e4
Create Date: 2026-12-01 21:45:00

A 4-digit PIN is ten thousand tries; every PIN set from now on has 6 to 8 digits. Outlets that exist already
keep accepting their staff's 4-digit PINs (allow_short_pins) until central turns that off or resets the
outlet's PINs; an outlet made from now on accepts 6 digits or more only.
"""

import sqlalchemy as sa
from alembic import op

revision = "e7a1c5b9d320"
down_revision = "d9f3b2a6c1e4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outlet") as batch:
        batch.add_column(sa.Column("allow_short_pins", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("outlet") as batch:
        batch.drop_column("allow_short_pins")
