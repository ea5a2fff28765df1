"""central finds products by name through a trigram index

Revision ID: a5c7e9d1f2b3
Revises: f3b8d2c6a0e1
Create Date: 2026-12-02 06:10:00

An outlet searches names with SQLite's FTS5 table. Central (PostgreSQL) matched ``name ILIKE '%…%'`` by reading
every product; a GIN trigram index (pg_trgm, a trusted extension shipped with PostgreSQL) answers each typed word
from the index. Nothing changes on SQLite.
"""

from alembic import op

revision = "a5c7e9d1f2b3"
down_revision = "f3b8d2c6a0e1"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_product_name_trgm ON product USING gin (name gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_product_name_trgm")
