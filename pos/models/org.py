"""Cooperatives, their outlets, investors and product categories."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.core.clock import DEFAULT_TIMEZONE
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, born_uuid, intpk, str40, str120, str255


class Cooperative(Base):
    __tablename__ = "cooperative"
    __table_args__ = (CheckConstraint("book_year_start_month BETWEEN 1 AND 12", name="book_year_month"),)

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    code: Mapped[str40] = mapped_column(unique=True)
    name: Mapped[str120]
    region: Mapped[str120] = mapped_column(default="")
    address: Mapped[str255] = mapped_column(default="")
    chair_name: Mapped[str120] = mapped_column(default="")
    secretary_name: Mapped[str120] = mapped_column(default="")
    book_year_start_month: Mapped[int] = mapped_column(SmallInteger, default=1)  # tahun buku: January unless set
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    outlets: Mapped[list[Outlet]] = relationship(back_populates="cooperative")


class Outlet(Base):
    __tablename__ = "outlet"
    __table_args__ = (CheckConstraint("cash_rounding IN (0, 100, 500)", name="cash_rounding_step"),)

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    cooperative_id: Mapped[int] = mapped_column(BigId, ForeignKey("cooperative.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str120]
    address: Mapped[str255] = mapped_column(default="")
    timezone: Mapped[str40] = mapped_column(default=DEFAULT_TIMEZONE)
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    cash_tolerance: Mapped[int] = mapped_column(BigInteger, default=5000)
    # Closing a shift, the drawer is counted blind: the expected cash shows only once the count is in.
    show_expected_cash: Mapped[bool] = mapped_column(Boolean, default=False)
    # Existing staff's 4-digit PINs keep working until their next reset where this is on (outlets from before
    # 6-digit PINs); a new outlet takes 6 digits or more only.
    allow_short_pins: Mapped[bool] = mapped_column(Boolean, default=False)
    cash_rounding: Mapped[int] = mapped_column(default=0)  # Rupiah step of cash payments: 0, 100 or 500
    # The till settings the outlet's manager owns (QRIS, rounding, blind count): the newest copy wins in sync.
    settings_updated_at: Mapped[datetime | None]
    discount_limit_bp: Mapped[int] = mapped_column(default=500)
    qris_static: Mapped[str | None] = mapped_column(Text)
    receipt_footer: Mapped[str255] = mapped_column(default="")
    npwp: Mapped[str] = mapped_column(String(30), default="")  # the taxpayer number printed on receipts, if any
    nitku: Mapped[str] = mapped_column(String(30), default="")  # the outlet's own place-of-business number
    expiry_warning_days: Mapped[int] = mapped_column(default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    cooperative: Mapped[Cooperative] = relationship(back_populates="outlets")


class Investor(Base):
    __tablename__ = "investor"

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    code: Mapped[str40] = mapped_column(unique=True)
    name: Mapped[str120]
    contact_name: Mapped[str120] = mapped_column(default="")
    phone: Mapped[str40] = mapped_column(default="")
    address: Mapped[str255] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Category(Base):
    __tablename__ = "category"

    id: Mapped[intpk]
    uuid: Mapped[uuid.UUID] = mapped_column(default=new_id, unique=True)
    code: Mapped[str40] = mapped_column(unique=True)
    name: Mapped[str120]
