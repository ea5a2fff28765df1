"""Report rollups, kept in the same transaction as the sales they sum (central ingest, all-in-one checkout).

Reports read these, never the raw sale lines. The programme's day totals are split into ``SHARDS`` rows per
day (by outlet) so concurrent ingest transactions rarely wait on the same row; readers sum the shards. A whole
month is read from the month tables, so a month of 80,000 outlets is 80,000 rows, not 2.4 million.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from pos.core import clock
from pos.models.base import Base, BigId

SHARDS = 16


class SaleFigures:
    """Sales and refunds counted, their net total, the cooperative's fee and the investors' share."""

    sales: Mapped[int] = mapped_column(BigInteger, default=0)
    refunds: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    investor_share: Mapped[int] = mapped_column(BigInteger, default=0)


class ProductFigures:
    """A product's investor, and the quantity (in the unit's steps), lines, net, fee and share sold."""

    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"))
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[int] = mapped_column(BigInteger, default=0)
    net: Mapped[int] = mapped_column(BigInteger, default=0)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    investor_share: Mapped[int] = mapped_column(BigInteger, default=0)


class OutletDayRollup(SaleFigures, Base):
    __tablename__ = "outlet_day_rollup"
    __table_args__ = (Index("ix_outlet_day_rollup_day", "day"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class OutletMonthRollup(SaleFigures, Base):
    """The same figures per calendar month (``month`` is its first day): a month of 80,000 outlets is 80,000 rows."""

    __tablename__ = "outlet_month_rollup"
    __table_args__ = (Index("ix_outlet_month_rollup_month", "month"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class ProgrammeDayRollup(SaleFigures, Base):
    """The whole programme per business day (summed over ``shard``)."""

    __tablename__ = "programme_day_rollup"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)


class InvestorDayRollup(Base):
    """Sales per outlet, investor and business day."""

    __tablename__ = "investor_day_rollup"
    __table_args__ = (Index("ix_investor_day_rollup_investor_day", "investor_id", "day"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lines: Mapped[int] = mapped_column(BigInteger, default=0)
    net: Mapped[int] = mapped_column(BigInteger, default=0)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    investor_share: Mapped[int] = mapped_column(BigInteger, default=0)


class OutletProductDayRollup(ProductFigures, Base):
    """Sales per outlet, product and business day (quantity in the unit's steps)."""

    __tablename__ = "outlet_product_day_rollup"
    __table_args__ = (Index("ix_outlet_product_day_rollup_investor_day", "investor_id", "day"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class ProductDayRollup(ProductFigures, Base):
    """Each product over the whole programme per business day: top products."""

    __tablename__ = "product_day_rollup"
    __table_args__ = (Index("ix_product_day_rollup_day", "day"),)

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class ProductMonthRollup(ProductFigures, Base):
    """The same per calendar month (``month`` is its first day)."""

    __tablename__ = "product_month_rollup"
    __table_args__ = (Index("ix_product_month_rollup_month", "month"),)

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
