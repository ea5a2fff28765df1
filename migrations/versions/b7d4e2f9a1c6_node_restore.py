"""a node restored from a backup waits for central's standing before it sells

Revision ID: b7d4e2f9a1c6
Revises: a5c7e9d1f2b3
Create Date: 2026-12-02 14:20:00

`kmp-pos restore` marks the node restored; its first sync asks central how far the outlet's event sequence and
receipt numbers got (what was sold after the backup and reached central), continues after them and clears it.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d4e2f9a1c6"
down_revision = "a5c7e9d1f2b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sync_status") as batch:
        batch.add_column(sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("restored_from", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("sync_status") as batch:
        batch.drop_column("restored_from")
        batch.drop_column("restored_at")
