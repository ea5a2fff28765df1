"""Products: each is owned by one investor (consignment)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from pos.models.supply import PriceChange

from pos.core import clock
from pos.domain.ids import new_id
from pos.models.base import Base, BigId, born_uuid, intpk, str40
from pos.models.org import Category, Investor


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("uq_product_investor_sku", "investor_id", "sku", unique=True),
        Index("ix_product_barcode", "barcode"),
        Index("ix_product_sku", "sku"),
        Index("ix_product_name", "name"),
        # the till's favourite tiles, in name order, without reading the catalogue
        Index(
            "ix_product_favourite",
            "name",
            sqlite_where=text("favourite = 1"),
            postgresql_where=text("favourite"),
        ),
    )

    id: Mapped[intpk]
    uuid: Mapped[born_uuid] = mapped_column(default=new_id)
    investor_id: Mapped[int] = mapped_column(BigId, ForeignKey("investor.id"), index=True)
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("category.id"), index=True)
    sku: Mapped[str40]
    barcode: Mapped[str | None] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(10), default="pcs")
    # The price before the scheduled changes (``scheduled_prices``) whose time has come; read ``price``.
    list_price: Mapped[int] = mapped_column("price", BigInteger)
    cost: Mapped[int | None] = mapped_column(BigInteger)
    tracks_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    price_due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    investor: Mapped[Investor] = relationship()
    category: Mapped[Category] = relationship()
    scheduled_prices: Mapped[list[PriceChange]] = relationship(
        primaryjoin="and_(PriceChange.product_id == Product.id, PriceChange.applied_at.is_(None), "
        "PriceChange.cancelled_at.is_(None))",
        order_by="(PriceChange.effective_at, PriceChange.id)",
        viewonly=True,
    )

    @property
    def price(self) -> int:
        """The selling price in force now: computed when read, never a row rewritten when its time comes."""
        return self.price_at(clock.now())

    @price.setter
    def price(self, value: int) -> None:
        self.list_price = value

    def price_at(self, moment: datetime) -> int:
        """The latest scheduled price in force at ``moment``, else the list price. ``price_due_at`` (the first
        scheduled change still pending) spares the lookup for every product with nothing due."""
        if self.price_due_at is None or self.price_due_at > moment:
            return self.list_price
        due = [change for change in self.scheduled_prices if change.effective_at <= moment]
        return due[-1].price if due else self.list_price
