"""The cooperative's members: the register its board keeps, and the year's purchases that share out the SHU."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, born_uuid, intpk, str120, str_enum
from pos.models.org import Cooperative


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
