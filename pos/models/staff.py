"""The staff register: the people working at each outlet, and which of them are new jobs."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, OutletRow, found_by_uuid, outlet_unique, str120, str_enum
from pos.models.org import Investor, Outlet


class StaffRole(enum.StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    STOCK_KEEPER = "stock_keeper"
    OTHER = "other"


class Employer(enum.StrEnum):
    INVESTOR = "investor"
    COOPERATIVE = "cooperative"


class StaffMember(OutletRow, Base):
    __tablename__ = "staff_member"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        outlet_unique("uuid"),
        found_by_uuid("staff_member"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    full_name: Mapped[str120]
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole))
    role_note: Mapped[str] = mapped_column(String(60), default="")
    employer: Mapped[Employer] = mapped_column(str_enum(Employer))
    investor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("investor.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    new_job: Mapped[bool] = mapped_column(Boolean, default=True)
    national_id: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    outlet: Mapped[Outlet] = relationship()
    investor: Mapped[Investor | None] = relationship()

    def works_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class OutletStaffing(Base):
    """People working at each outlet on ``as_of`` and how many are new jobs: the staff register counted once for
    the dashboards. Kept when staff change, and recounted for every outlet on the first report of a new day."""

    __tablename__ = "outlet_staffing"
    __table_args__ = (Index("ix_outlet_staffing_new_jobs", "new_jobs", "outlet_id"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    working: Mapped[int] = mapped_column(default=0)
    new_jobs: Mapped[int] = mapped_column(default=0)
