"""The cooperative's members: the register its board keeps, and the year's purchases that share out the SHU."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, born_uuid, intpk, str120, str_enum
from pos.models.org import Cooperative
from pos.models.users import User


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    RESIGNED = "resigned"
    DECEASED = "deceased"


class Member(Base):
    """A member of one cooperative, numbered as the cooperative numbers them (nomor anggota)."""

    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "number"),
        CheckConstraint("status = 'active' OR status_on IS NOT NULL", name="left_on_a_day"),
        CheckConstraint("status_on IS NULL OR status_on >= joined_on", name="left_after_joining"),
    )

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    cooperative_id: Mapped[int] = mapped_column(BigId, ForeignKey("cooperative.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    full_name: Mapped[str120]
    phone: Mapped[str] = mapped_column(String(20), default="")
    nik: Mapped[str | None] = mapped_column(String(16))  # the board's, central's and the outlet manager's to see
    village: Mapped[str120] = mapped_column(default="")
    rt_rw: Mapped[str] = mapped_column(String(10), default="")
    joined_on: Mapped[date] = mapped_column(Date)
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus), default=MemberStatus.ACTIVE)
    status_on: Mapped[date | None] = mapped_column(Date)  # the day a member resigned or died
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    cooperative: Mapped[Cooperative] = relationship()


class MemberMonthRollup(Base):
    """A member's purchases at one outlet in one calendar month (``month`` is its first day): net of refunds, and
    the sales and refunds counted. A book year is whole months, so its purchases are twelve of these. Kept in the
    sale's own transaction on the outlet and at central's ingest; ``pos.members.purchases.rebuild`` recomputes it
    from the sales."""

    __tablename__ = "member_month_rollup"
    __table_args__ = (Index("ix_member_month_rollup_month", "month"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("member.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    purchases: Mapped[int] = mapped_column(BigInteger, default=0)
    sales: Mapped[int] = mapped_column(BigInteger, default=0)
    refunds: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class ShuCalculation(Base):
    """One numbered SHU calculation for a book year, locked once saved: its inputs and every member's part.
    A correction is a new calculation; the one the meeting adopts is named in its minutes by number."""

    __tablename__ = "shu_calculation"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "number"),
        CheckConstraint("shu >= 0", name="shu_not_negative"),
    )

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    cooperative_id: Mapped[int] = mapped_column(BigId, ForeignKey("cooperative.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))  # SHU-2026-01: the book year and its sequence
    book_year: Mapped[int] = mapped_column(SmallInteger)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    shu: Mapped[int] = mapped_column(BigInteger)
    leavers: Mapped[str] = mapped_column(String(10))  # pos.domain.shu.Leavers
    undistributed: Mapped[int] = mapped_column(BigInteger, default=0)
    savings_file: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    cooperative: Mapped[Cooperative] = relationship()
    created_by: Mapped[User] = relationship()
    allocations: Mapped[list[ShuAllocation]] = relationship(order_by="ShuAllocation.position")
    parts: Mapped[list[ShuPart]] = relationship(order_by="ShuPart.id")


class ShuAllocation(Base):
    """One line of the allocation the bylaws give: its share in basis points and its amount."""

    __tablename__ = "shu_allocation"
    __table_args__ = (UniqueConstraint("calculation_id", "code"),)

    id: Mapped[intpk]
    calculation_id: Mapped[int] = mapped_column(BigId, ForeignKey("shu_calculation.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(30))
    label: Mapped[str120]
    share_bp: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)


class ShuPart(Base):
    """A member's inputs and part in one calculation."""

    __tablename__ = "shu_part"
    __table_args__ = (UniqueConstraint("calculation_id", "member_id"),)

    id: Mapped[intpk]
    calculation_id: Mapped[int] = mapped_column(BigId, ForeignKey("shu_calculation.id"), index=True)
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("member.id"))
    purchases: Mapped[int] = mapped_column(BigInteger)
    savings: Mapped[int] = mapped_column(BigInteger)
    on_purchases: Mapped[int] = mapped_column(BigInteger)
    on_savings: Mapped[int] = mapped_column(BigInteger)

    member: Mapped[Member] = relationship()
