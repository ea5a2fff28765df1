"""logins carry the time they last changed: managers make cashier logins and reset PINs at the outlet

Revision ID: c8e5f3a0b2d7
Revises: b7d4e2f9a1c6
Create Date: 2026-12-02 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c8e5f3a0b2d7"
down_revision = "b7d4e2f9a1c6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("updated_at")
