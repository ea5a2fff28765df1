"""the till's favourite tiles found by an index

Revision ID: f3b8d2c6a0e1
Revises: e7a1c5b9d320
Create Date: 2026-12-02 02:00:00

The register page lists the favourite products by name; with 100,000 products the query read every product of
each investor and sorted them. A partial index holds only the favourites, in name order.
"""

import sqlalchemy as sa
from alembic import op

revision = "f3b8d2c6a0e1"
down_revision = "e7a1c5b9d320"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_product_favourite",
        "product",
        ["name"],
        sqlite_where=sa.text("favourite = 1"),
        postgresql_where=sa.text("favourite"),
    )


def downgrade():
    op.drop_index("ix_product_favourite", table_name="product")
