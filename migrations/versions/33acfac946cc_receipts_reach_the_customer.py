"""receipts that reach the customer: printers per register, a receipt link per sale, the print queue

Revision ID: 33acfac946cc
Revises: c8e5f3a0b2d7
Create Date: 2026-12-03 09:59:52
"""
import sqlalchemy as sa
from alembic import op

revision = '33acfac946cc'
down_revision = 'c8e5f3a0b2d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('print_job',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('outlet_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('register_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Enum('receipt', 'z_report', 'test', name='printkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('subject_uuid', sa.Uuid(), nullable=False),
    sa.Column('open_drawer', sa.Boolean(), nullable=False),
    sa.Column('link', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'printed', 'failed', name='printstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlet.id'], name=op.f('fk_print_job_outlet_id_outlet')),
    sa.ForeignKeyConstraint(['register_id'], ['register.id'], name=op.f('fk_print_job_register_id_register')),
    sa.PrimaryKeyConstraint('id', 'outlet_id', name=op.f('pk_print_job')),
    sa.UniqueConstraint('outlet_id', 'uuid', name=op.f('uq_print_job_outlet_id_uuid'))
    )
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index('ix_print_job_due', ['status', 'next_try_at'], unique=False)
        batch_op.create_index('ix_print_job_subject', ['outlet_id', 'subject_uuid'], unique=False)

    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('npwp', sa.String(length=30), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('nitku', sa.String(length=30), nullable=False, server_default=sa.text("''")))

    with op.batch_alter_table('register', schema=None) as batch_op:
        batch_op.add_column(sa.Column('print_via', sa.String(length=20), nullable=False, server_default=sa.text("'browser'")))
        batch_op.add_column(sa.Column('printer_kind', sa.String(length=10), nullable=False, server_default=sa.text("'network'")))
        batch_op.add_column(sa.Column('printer_address', sa.String(length=120), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('paper_mm', sa.Integer(), nullable=False, server_default=sa.text("58")))
        batch_op.add_column(sa.Column('chars_per_line', sa.Integer(), nullable=False, server_default=sa.text("32")))
        batch_op.add_column(sa.Column('printer_cut', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('drawer_kick', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_token', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_sale_receipt_token', ['receipt_token'], unique=False, postgresql_where=sa.text('receipt_token IS NOT NULL'), sqlite_where=sa.text('receipt_token IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_index('ix_sale_receipt_token', postgresql_where=sa.text('receipt_token IS NOT NULL'), sqlite_where=sa.text('receipt_token IS NOT NULL'))
        batch_op.drop_column('receipt_token')

    with op.batch_alter_table('register', schema=None) as batch_op:
        batch_op.drop_column('drawer_kick')
        batch_op.drop_column('printer_cut')
        batch_op.drop_column('chars_per_line')
        batch_op.drop_column('paper_mm')
        batch_op.drop_column('printer_address')
        batch_op.drop_column('printer_kind')
        batch_op.drop_column('print_via')

    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.drop_column('nitku')
        batch_op.drop_column('npwp')

    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index('ix_print_job_subject')
        batch_op.drop_index('ix_print_job_due')

    op.drop_table('print_job')
