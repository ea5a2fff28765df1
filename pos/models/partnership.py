"""Partnership agreements between a cooperative and an investor, versioned by effective date."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, born_uuid, intpk, str_enum
from pos.models.org import Category, Cooperative, Investor, Outlet


class Collector(enum.StrEnum):
    COOPERATIVE = "cooperative"
    INVESTOR = "investor"


class SettlementPeriod(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


agreement_outlet = Table(
    "agreement_outlet",
    Base.metadata,
    Column("agreement_id", ForeignKey("agreement.id"), primary_key=True),
    Column("outlet_id", ForeignKey("outlet.id"), primary_key=True),
)


class Agreement(Base):
    __tablename__ = "agreement"

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    cooperative_id: Mapped[int] = mapped_column(BigId, ForeignKey("cooperative.id"), index=True)
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))

    cooperative: Mapped[Cooperative] = relationship()
    investor: Mapped[Investor] = relationship()
    outlets: Mapped[list[Outlet]] = relationship(secondary=agreement_outlet)
    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.effective_from"
    )


class AgreementVersion(Base):
    """The terms in force from ``effective_from`` until the next version takes effect."""

    __tablename__ = "agreement_version"
    __table_args__ = (
        CheckConstraint("fee_bp >= 0 AND fee_bp <= 10000", name="fee_bp_range"),
        CheckConstraint("staff_count >= 0", name="staff_not_negative"),
        Index("uq_agreement_version_from", "agreement_id", "effective_from", unique=True),
    )

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    agreement_id: Mapped[int] = mapped_column(BigId, ForeignKey("agreement.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    fee_bp: Mapped[int]
    collector: Mapped[Collector] = mapped_column(str_enum(Collector))
    period: Mapped[SettlementPeriod] = mapped_column(str_enum(SettlementPeriod))
    staff_count: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    category_rates: Mapped[list[AgreementCategoryRate]] = relationship(back_populates="version")


class AgreementCategoryRate(Base):
    __tablename__ = "agreement_category_rate"
    __table_args__ = (CheckConstraint("fee_bp >= 0 AND fee_bp <= 10000", name="fee_bp_range"),)

    version_id: Mapped[int] = mapped_column(BigId, ForeignKey("agreement_version.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("category.id"), primary_key=True)
    fee_bp: Mapped[int]

    version: Mapped[AgreementVersion] = relationship(back_populates="category_rates")
    category: Mapped[Category] = relationship()
