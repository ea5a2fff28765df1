"""The append-only stock ledger: on-hand stock is the sum of movements."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, OutletRow, outlet_unique, str_enum
from pos.models.catalog import Product
from pos.models.org import Outlet
from pos.models.users import User


class MovementKind(enum.StrEnum):
    OPENING = "opening"
    RECEIVE = "receive"
    SALE = "sale"
    REFUND = "refund"
    ADJUST = "adjust"
    RETURN = "return"
    WRITE_OFF = "write_off"


class StockMovement(OutletRow, Base):
    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_outlet_product", "outlet_id", "product_id"), outlet_unique("uuid"))

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, default=new_id)
    product_id: Mapped[int] = mapped_column(BigId)  # no foreign key: see SaleLine
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind))
    quantity: Mapped[int] = mapped_column(BigInteger)
    document_type: Mapped[str | None] = mapped_column(String(30))
    document_uuid: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    note: Mapped[str] = mapped_column(String(255), default="")
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    product: Mapped[Product] = relationship(primaryjoin="foreign(StockMovement.product_id) == Product.id")
    outlet: Mapped[Outlet] = relationship()
    user: Mapped[User | None] = relationship()


class StockBalance(Base):
    """Cached on-hand quantity, updated in the same transaction as every movement."""

    __tablename__ = "stock_balance"

    outlet_id: Mapped[int] = mapped_column(BigId, ForeignKey("outlet.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    needs_count: Mapped[bool] = mapped_column(default=False)
