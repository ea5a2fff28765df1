"""Registers, shifts, carts, and completed sales with their split lines and payments."""

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
    born_uuid,
    intpk,
    lines_of,
    of_outlet,
    only_set,
    outlet_unique,
    str_enum,
)
from pos.models.catalog import Product
from pos.models.members import Member
from pos.models.org import Investor, Outlet
from pos.models.users import User


class Register(Base):
    __tablename__ = "register"
    __table_args__ = (Index("uq_register_outlet_code", "outlet_id", "code", unique=True),)

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    # How this register prints (``pos.printing``): the browser's dialog, a printer on the outlet node, or the
    # tablet's own (Web Serial, Web Bluetooth, the RawBT app). The register's own, never synced.
    print_via: Mapped[str] = mapped_column(String(20), default="browser")
    printer_kind: Mapped[str] = mapped_column(String(10), default="network")  # network, usb or serial
    printer_address: Mapped[str] = mapped_column(String(120), default="")
    paper_mm: Mapped[int] = mapped_column(default=58)
    chars_per_line: Mapped[int] = mapped_column(default=32)
    printer_cut: Mapped[bool] = mapped_column(default=True)
    drawer_kick: Mapped[bool] = mapped_column(default=False)

    outlet: Mapped[Outlet] = relationship()


class ShiftStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Shift(OutletRow, Base):
    __tablename__ = "shift"
    __table_args__ = (Index("ix_shift_outlet_status", "outlet_id", "status"), outlet_unique("uuid"))

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    register_id: Mapped[int] = mapped_column(BigId, ForeignKey("register.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"), index=True)
    status: Mapped[ShiftStatus] = mapped_column(str_enum(ShiftStatus), default=ShiftStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(default=clock.now)
    opening_float: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    expected_cash: Mapped[int | None] = mapped_column(BigInteger)
    counted_cash: Mapped[int | None] = mapped_column(BigInteger)
    cash_counts: Mapped[str | None] = mapped_column(Text)  # JSON {denomination: pieces}
    difference_approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    closing_note: Mapped[str] = mapped_column(String(255), default="")

    outlet: Mapped[Outlet] = relationship()
    register: Mapped[Register] = relationship()
    cashier: Mapped[User] = relationship(foreign_keys=[cashier_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    difference_approved_by: Mapped[User | None] = relationship(foreign_keys=[difference_approved_by_id])

    @property
    def difference(self) -> int | None:
        if self.counted_cash is None or self.expected_cash is None:
            return None
        return self.counted_cash - self.expected_cash


class CashMovementKind(enum.StrEnum):
    IN = "in"
    OUT = "out"


class CashMovement(OutletChild, Base):
    __tablename__ = "cash_movement"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        outlet_unique("uuid"),
        *lines_of("cash_movement", "shift"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    shift_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[CashMovementKind] = mapped_column(str_enum(CashMovementKind))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship()


class Cart(OutletChild, Base):
    """The open order on a shift. It lives on the server so a reload loses nothing."""

    __tablename__ = "cart"
    # A shift's carts pile up (one per sale); the open one is found without reading the closed ones.
    __table_args__ = (
        Index("ix_cart_shift_open", "outlet_id", "shift_id", "closed"),
        outlet_unique("uuid"),
        of_outlet("shift"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    shift_id: Mapped[int] = mapped_column(BigId)
    revision: Mapped[int] = mapped_column(default=0)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # The ids of the last scans applied (space-separated): a scan sent again after a lost answer is applied once.
    scans: Mapped[str] = mapped_column(Text, default="")
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("member.id"))

    member: Mapped[Member | None] = relationship()
    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan"
    )
    shift: Mapped[Shift] = relationship()


class CartLine(OutletChild, Base):
    __tablename__ = "cart_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        *lines_of("cart_line", "cart"),
    )

    cart_id: Mapped[int] = mapped_column(BigId)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))

    cart: Mapped[Cart] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class SaleKind(enum.StrEnum):
    SALE = "sale"
    REFUND = "refund"
    VOID = "void"


class Sale(OutletRow, Base):
    """A completed sale, refund or void. Never edited or deleted once written."""

    __tablename__ = "sale"
    __table_args__ = (
        Index("uq_sale_outlet_receipt", "outlet_id", "receipt_no", unique=True),
        Index("ix_sale_outlet_day", "outlet_id", "business_date"),
        Index("ix_sale_original_id", "outlet_id", "original_id", **only_set("original_id")),
        outlet_unique("uuid"),
        outlet_unique("idempotency_key"),
        # a receipt link names no outlet: one index lookup per shard on Citus (unique there only with outlet_id;
        # 128 random bits do not collide)
        Index("ix_sale_receipt_token", "receipt_token", **only_set("receipt_token")),
        *lines_of("sale", "shift"),
        of_outlet("sale", "original_id"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    shift_id: Mapped[int] = mapped_column(BigId)
    cashier_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    kind: Mapped[SaleKind] = mapped_column(str_enum(SaleKind), default=SaleKind.SALE)
    receipt_no: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid)
    business_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    investor_share: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger)
    change: Mapped[int] = mapped_column(BigInteger, default=0)
    # Cash rounding, the sale's own line outside the goods lines: paid − change == total + rounding.
    rounding: Mapped[int] = mapped_column(BigInteger, default=0)
    original_id: Mapped[int | None] = mapped_column(BigId)
    reason: Mapped[str] = mapped_column(String(255), default="")
    approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    # The customer's link to this receipt (``/r/<token>``): unguessable, made where the sale is born and synced.
    receipt_token: Mapped[str | None] = mapped_column(String(32))
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("member.id"))  # the cooperative's member buying

    outlet: Mapped[Outlet] = relationship(overlaps="shift,original")
    shift: Mapped[Shift] = relationship(overlaps="outlet,original")
    cashier: Mapped[User] = relationship(foreign_keys=[cashier_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    member: Mapped[Member | None] = relationship()
    original: Mapped[Sale | None] = relationship(
        remote_side="[Sale.outlet_id, Sale.id]", viewonly=True, overlaps="outlet,shift"
    )
    lines: Mapped[list[SaleLine]] = relationship(back_populates="sale", order_by="SaleLine.line_no")
    payments: Mapped[list[Payment]] = relationship(back_populates="sale", order_by="Payment.id")


class SaleLine(OutletChild, Base):
    """One line of a sale, with its split.

    Product, investor and agreement version carry no foreign key: the code that writes a line has just read
    each of them in the same transaction (checkout from the cart, central ingest from the batch's lookups),
    those rows are never deleted, and on central the three key checks cost more than the rest of the line.
    """

    __tablename__ = "sale_line"
    __table_args__ = (
        CheckConstraint("fee + investor_share = net", name="split_sums_to_net"),
        CheckConstraint("fee_bp >= 0 AND fee_bp <= 10000", name="fee_bp_range"),
        Index("ix_sale_line_original_line_id", "outlet_id", "original_line_id", **only_set("original_line_id")),
        outlet_unique("uuid"),
        *lines_of("sale_line", "sale"),
        of_outlet("sale_line", "original_line_id"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    sale_id: Mapped[int] = mapped_column(BigId)
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(BigId)
    investor_id: Mapped[int] = mapped_column(BigId)
    agreement_version_id: Mapped[int] = mapped_column(BigId)
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    fee_bp: Mapped[int]
    fee: Mapped[int] = mapped_column(BigInteger)
    investor_share: Mapped[int] = mapped_column(BigInteger)
    original_line_id: Mapped[int | None] = mapped_column(BigId)

    sale: Mapped[Sale] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(primaryjoin="foreign(SaleLine.product_id) == Product.id")
    investor: Mapped[Investor] = relationship(primaryjoin="foreign(SaleLine.investor_id) == Investor.id")


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    QRIS = "qris"
    TRANSFER = "transfer"


class Payment(OutletChild, Base):
    __tablename__ = "payment"
    __table_args__ = (
        outlet_unique("uuid"),
        *lines_of("payment", "sale"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    sale_id: Mapped[int] = mapped_column(BigId)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod))
    amount: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(80), default="")

    sale: Mapped[Sale] = relationship(back_populates="payments")


class ReceiptSequence(Base):
    """The last receipt number used per outlet and business day."""

    __tablename__ = "receipt_sequence"

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_no: Mapped[int] = mapped_column(default=0)
