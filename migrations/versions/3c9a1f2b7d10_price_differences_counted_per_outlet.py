"""sold lines at another unit price than central's, counted per outlet

Revision ID: 3c9a1f2b7d10
Revises: 0fed04478d0f
Create Date: 2026-12-01 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9a1f2b7d10'
down_revision = '0fed04478d0f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outlet_sync_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_differs', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('outlet_sync_state', schema=None) as batch_op:
        batch_op.drop_column('price_differs')
