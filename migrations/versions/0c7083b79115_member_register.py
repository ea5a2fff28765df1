"""the cooperative's member register

Revision ID: 0c7083b79115
Revises: 33acfac946cc
Create Date: 2026-12-03 11:30:20
"""

import sqlalchemy as sa
from alembic import op

revision = "0c7083b79115"
down_revision = "33acfac946cc"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("cooperative_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("village", sa.String(length=120), nullable=False),
        sa.Column("rt_rw", sa.String(length=10), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "resigned",
                "deceased",
                name="memberstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("status_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status = 'active' OR status_on IS NOT NULL", name=op.f("ck_member_left_on_a_day")),
        sa.CheckConstraint("status_on IS NULL OR status_on >= joined_on", name=op.f("ck_member_left_after_joining")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"], ["cooperative.id"], name=op.f("fk_member_cooperative_id_cooperative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("cooperative_id", "number", name=op.f("uq_member_cooperative_id_number")),
        sa.UniqueConstraint("uuid", name=op.f("uq_member_uuid")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_cooperative_id"), ["cooperative_id"], unique=False)


def downgrade():
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_cooperative_id"))

    op.drop_table("member")
