"""Settlement statements per agreement, outlet and period; payments, disputes, and the audit trail."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import (
    Base,
    BigId,
    OutletChild,
    OutletRow,
    found_by_uuid,
    intpk,
    lines_of,
    of_outlet,
    outlet_unique,
    str_enum,
)
from pos.models.org import Investor, Outlet
from pos.models.partnership import Agreement, Collector
from pos.models.users import User


class Direction(enum.StrEnum):
    TO_INVESTOR = "to_investor"  # the cooperative collected the money and pays the investor's share
    TO_COOPERATIVE = "to_cooperative"  # the investor collected it and pays the cooperative's fee


class Statement(OutletRow, Base):
    """Figures are written once, when the statement is issued, and never change."""

    __tablename__ = "statement"
    __table_args__ = (
        Index("uq_statement_period", "outlet_id", "agreement_id", "period_start", unique=True),
        outlet_unique("uuid"),
        outlet_unique("number"),
        found_by_uuid("statement"),
        CheckConstraint("fee + investor_share = net_sales", name="split_sums"),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    number: Mapped[str] = mapped_column(String(60))
    agreement_id: Mapped[int] = mapped_column(BigId, ForeignKey("agreement.id"), index=True)
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(default=clock.now)
    issued_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    opening_stock: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger)
    sold_units: Mapped[int] = mapped_column(BigInteger)
    refunded_units: Mapped[int] = mapped_column(BigInteger)
    returned: Mapped[int] = mapped_column(BigInteger)
    written_off: Mapped[int] = mapped_column(BigInteger)
    adjusted: Mapped[int] = mapped_column(BigInteger)
    closing_stock: Mapped[int] = mapped_column(BigInteger)
    gross_sales: Mapped[int] = mapped_column(BigInteger)
    refunds: Mapped[int] = mapped_column(BigInteger)  # negative or zero
    late_net: Mapped[int] = mapped_column(BigInteger)  # included corrections dated before the period
    net_sales: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    investor_share: Mapped[int] = mapped_column(BigInteger)
    collector: Mapped[Collector] = mapped_column(str_enum(Collector))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    amount_payable: Mapped[int] = mapped_column(BigInteger)
    board_signed_at: Mapped[datetime | None]
    board_signed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    investor_signed_at: Mapped[datetime | None]
    investor_signed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    # nothing sold, refunded or moved in the period: a nil statement ("nihil"), to sign only if a party asks
    nil: Mapped[bool] = mapped_column(default=False)

    agreement: Mapped[Agreement] = relationship()
    outlet: Mapped[Outlet] = relationship()
    investor: Mapped[Investor] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    board_signed_by: Mapped[User | None] = relationship(foreign_keys=[board_signed_by_id])
    investor_signed_by: Mapped[User | None] = relationship(foreign_keys=[investor_signed_by_id])
    stock_lines: Mapped[list[StatementStockLine]] = relationship(
        back_populates="statement", order_by="StatementStockLine.product_name"
    )
    lines: Mapped[list[StatementLine]] = relationship(
        back_populates="statement", order_by="(StatementLine.business_date, StatementLine.product_name)"
    )
    payments: Mapped[list[StatementPayment]] = relationship(back_populates="statement", order_by="StatementPayment.id")
    disputes: Mapped[list[Dispute]] = relationship(back_populates="statement", order_by="Dispute.id")

    @property
    def paid(self) -> int:
        return sum(p.amount for p in self.payments)

    @property
    def outstanding(self) -> int:
        return self.amount_payable - self.paid


class StatementStockLine(OutletChild, Base):
    """One product's stock over a statement's period, in its unit's steps (pieces, grams, millilitres):
    opening + received − sold + refunded − returned − written off + adjusted = closing."""

    __tablename__ = "statement_stock_line"
    __table_args__ = (
        CheckConstraint(
            "opening + received - sold + refunded - returned - written_off + adjusted = closing",
            name="reconciles",
        ),
        *lines_of("statement_stock_line", "statement"),
    )

    statement_id: Mapped[int] = mapped_column(BigId)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"))
    product_name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(10))
    opening: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger)
    sold: Mapped[int] = mapped_column(BigInteger)
    refunded: Mapped[int] = mapped_column(BigInteger)
    returned: Mapped[int] = mapped_column(BigInteger)
    written_off: Mapped[int] = mapped_column(BigInteger)
    adjusted: Mapped[int] = mapped_column(BigInteger)
    closing: Mapped[int] = mapped_column(BigInteger)

    statement: Mapped[Statement] = relationship(back_populates="stock_lines")


class StatementLine(OutletChild, Base):
    """One product on one day at one rate (late corrections apart, each naming the sale it corrects) within a
    statement."""

    __tablename__ = "statement_line"
    __table_args__ = lines_of("statement_line", "statement")

    statement_id: Mapped[int] = mapped_column(BigId)
    business_date: Mapped[date] = mapped_column(Date)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"))
    product_name: Mapped[str] = mapped_column(String(160))
    late: Mapped[bool] = mapped_column(default=False)
    unit: Mapped[str] = mapped_column(String(10), default="pcs")
    fee_bp: Mapped[int | None]  # the rate applied (None on statements issued before rates were kept)
    corrects_receipt: Mapped[str | None] = mapped_column(String(40))  # a late line: the sale it corrects
    corrects_date: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    investor_share: Mapped[int] = mapped_column(BigInteger)

    statement: Mapped[Statement] = relationship(back_populates="lines")


class SettledLine(Base):
    """Each sale line is settled exactly once: the primary key on the sale line proves it."""

    __tablename__ = "settled_line"
    __table_args__ = (
        of_outlet("sale_line"),
        *lines_of("settled_line", "statement"),
    )

    outlet_id: Mapped[int] = mapped_column(BigId, primary_key=True)  # the sale line's and the statement's
    sale_line_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[int] = mapped_column(BigId)


class StatementPayment(OutletChild, Base):
    __tablename__ = "statement_payment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        outlet_unique("uuid"),
        *lines_of("statement_payment", "statement"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    statement_id: Mapped[int] = mapped_column(BigId)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(120), default="")
    recorded_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    statement: Mapped[Statement] = relationship(back_populates="payments")
    recorded_by: Mapped[User] = relationship()


class Dispute(OutletChild, Base):
    __tablename__ = "dispute"
    __table_args__ = (
        outlet_unique("uuid"),
        *lines_of("dispute", "statement"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    statement_id: Mapped[int] = mapped_column(BigId)
    raised_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    raised_at: Mapped[datetime] = mapped_column(default=clock.now)
    comment: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")

    statement: Mapped[Statement] = relationship(back_populates="disputes")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class AuditEvent(Base):
    """Who did what to an agreement or statement, and when. Append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_subject", "subject_type", "subject_uuid"),)

    id: Mapped[intpk]
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User | None] = relationship()
