"""Products: each is owned by one investor (consignment)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, born_uuid, intpk, str40
from pos.models.org import Category, Investor


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("uq_product_investor_sku", "investor_id", "sku", unique=True),
        Index("ix_product_barcode", "barcode"),
        Index("ix_product_sku", "sku"),
        Index("ix_product_name", "name"),
    )

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    investor_id: Mapped[int] = mapped_column(ForeignKey("investor.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    sku: Mapped[str40]
    barcode: Mapped[str | None] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(10), default="pcs")
    price: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int | None] = mapped_column(BigInteger)
    tracks_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    price_due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    investor: Mapped[Investor] = relationship()
    category: Mapped[Category] = relationship()
