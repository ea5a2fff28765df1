"""Investor stock documents: price schedules, deliveries, counts, returns, restock requests, reorder levels."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import (
    Base,
    BigId,
    OutletChild,
    OutletRow,
    born_uuid,
    found_by_uuid,
    intpk,
    lines_of,
    of_outlet,
    outlet_unique,
    str_enum,
)
from pos.models.catalog import Product
from pos.models.org import Investor, Outlet
from pos.models.users import User


class PriceChange(Base):
    """A selling price the investor scheduled; it applies from ``effective_at`` on."""

    __tablename__ = "price_change"
    __table_args__ = (CheckConstraint("price >= 0", name="price_not_negative"),)

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), index=True)
    price: Mapped[int] = mapped_column(BigInteger)
    previous_price: Mapped[int] = mapped_column(BigInteger)
    effective_at: Mapped[datetime]
    applied_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    product: Mapped[Product] = relationship()
    created_by: Mapped[User | None] = relationship()


class ProductPhoto(Base):
    __tablename__ = "product_photo"

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class ReorderLevel(Base):
    __tablename__ = "reorder_level"
    __table_args__ = (CheckConstraint("level >= 0", name="level_not_negative"),)

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), primary_key=True)
    level: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class DeliveryStatus(enum.StrEnum):
    SENT = "sent"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class Delivery(OutletRow, Base):
    """Goods an investor sends to an outlet; received once, with a handover record (BAST)."""

    __tablename__ = "delivery"
    __table_args__ = (outlet_unique("uuid"), outlet_unique("number"), found_by_uuid("delivery"))

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    number: Mapped[str] = mapped_column(String(60))
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus), default=DeliveryStatus.SENT)
    expected_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    driver: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    received_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    received_at: Mapped[datetime | None]
    receipt_note: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None]

    investor: Mapped[Investor] = relationship()
    outlet: Mapped[Outlet] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    lines: Mapped[list[DeliveryLine]] = relationship(back_populates="delivery", order_by="DeliveryLine.id")


class DeliveryLine(OutletChild, Base):
    __tablename__ = "delivery_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received >= 0 AND damaged >= 0", name="received_not_negative"),
        *lines_of("delivery_line", "delivery"),
    )

    delivery_id: Mapped[int] = mapped_column(BigId)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)
    batch: Mapped[str] = mapped_column(String(40), default="")
    expiry_date: Mapped[date | None] = mapped_column(Date)
    received: Mapped[int | None] = mapped_column(BigInteger)
    damaged: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(255), default="")

    delivery: Mapped[Delivery] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    @property
    def difference(self) -> int | None:
        """Units that arrived (good or damaged) minus units sent: negative is a shortage."""
        if self.received is None:
            return None
        return self.received + (self.damaged or 0) - self.quantity


class CountStatus(enum.StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class StockCount(OutletRow, Base):
    """A stock count (stock opname): counted quantities become adjustments once confirmed."""

    __tablename__ = "stock_count"
    __table_args__ = (outlet_unique("uuid"), outlet_unique("number"), found_by_uuid("stock_count"))

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    number: Mapped[str] = mapped_column(String(60))
    status: Mapped[CountStatus] = mapped_column(str_enum(CountStatus), default=CountStatus.OPEN)
    scope_label: Mapped[str] = mapped_column(String(160), default="")
    reason: Mapped[str] = mapped_column(String(255), default="")
    started_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    confirmed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    confirmed_at: Mapped[datetime | None]

    outlet: Mapped[Outlet] = relationship()
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])


class StockCountLine(OutletChild, Base):
    __tablename__ = "stock_count_line"
    __table_args__ = (
        Index("uq_stock_count_line_product", "outlet_id", "count_id", "product_id", unique=True),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
        of_outlet("stock_count", "count_id"),
    )

    count_id: Mapped[int] = mapped_column(BigId)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), index=True)
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"))
    counted: Mapped[int | None] = mapped_column(BigInteger)
    expected: Mapped[int | None] = mapped_column(BigInteger)
    unit_price: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(255), default="")

    product: Mapped[Product] = relationship()

    @property
    def difference(self) -> int | None:
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected


class ReturnReason(enum.StrEnum):
    EXPIRED = "expired"
    DAMAGED = "damaged"
    UNSOLD = "unsold"


class ReturnStatus(enum.StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class StockReturn(OutletRow, Base):
    """Goods going back to their investor: the outlet hands over, the investor confirms receipt."""

    __tablename__ = "stock_return"
    __table_args__ = (outlet_unique("uuid"), outlet_unique("number"), found_by_uuid("stock_return"))

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    number: Mapped[str] = mapped_column(String(60))
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"), index=True)
    reason: Mapped[ReturnReason] = mapped_column(str_enum(ReturnReason))
    status: Mapped[ReturnStatus] = mapped_column(str_enum(ReturnStatus), default=ReturnStatus.SENT)
    note: Mapped[str] = mapped_column(Text, default="")
    sent_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    sent_at: Mapped[datetime] = mapped_column(default=clock.now)
    received_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    received_at: Mapped[datetime | None]

    outlet: Mapped[Outlet] = relationship()
    investor: Mapped[Investor] = relationship()
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    lines: Mapped[list[StockReturnLine]] = relationship(back_populates="stock_return", order_by="StockReturnLine.id")


class StockReturnLine(OutletChild, Base):
    __tablename__ = "stock_return_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        *lines_of("stock_return_line", "stock_return", "return_id"),
    )

    return_id: Mapped[int] = mapped_column(BigId)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column(BigInteger)

    stock_return: Mapped[StockReturn] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class RestockStatus(enum.StrEnum):
    OPEN = "open"
    FULFILLED = "fulfilled"
    DECLINED = "declined"


class RestockRequest(OutletRow, Base):
    __tablename__ = "restock_request"
    __table_args__ = (
        outlet_unique("uuid"),
        outlet_unique("number"),
        of_outlet("delivery"),
        found_by_uuid("restock_request"),
    )

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    number: Mapped[str] = mapped_column(String(60))
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"), index=True)
    status: Mapped[RestockStatus] = mapped_column(str_enum(RestockStatus), default=RestockStatus.OPEN)
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
    delivery_id: Mapped[int | None] = mapped_column(BigId)
    answer: Mapped[str] = mapped_column(String(255), default="")
    answered_at: Mapped[datetime | None]

    outlet: Mapped[Outlet] = relationship(overlaps="delivery")
    investor: Mapped[Investor] = relationship()
    requested_by: Mapped[User | None] = relationship()
    delivery: Mapped[Delivery | None] = relationship(overlaps="outlet")
    lines: Mapped[list[RestockLine]] = relationship(back_populates="request", order_by="RestockLine.id")


class RestockLine(OutletChild, Base):
    """A wanted product, or a description of goods the investor does not list yet."""

    __tablename__ = "restock_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        *lines_of("restock_line", "restock_request", "request_id"),
    )

    request_id: Mapped[int] = mapped_column(BigId)
    product_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("product.id"))
    description: Mapped[str] = mapped_column(String(160), default="")
    quantity: Mapped[int] = mapped_column(BigInteger)

    request: Mapped[RestockRequest] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()
