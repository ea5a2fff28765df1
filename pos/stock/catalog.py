"""Reading the catalogue within a user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_

from pos.auth.scope import Scope
from pos.extensions import db
from pos.models import Category, Product

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Product]
    page: int
    pages: int
    total: int


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_products(scope: Scope, text: str = "", page: int = 1) -> Page:
    query = db.select(Product).join(Product.investor).join(Product.category)
    if scope.investor_ids is not None:
        query = query.where(Product.investor_id.in_(scope.investor_ids))
    if scope.outlet_ids is not None:
        # Outlet staff see the goods of the investors that supply their outlet.
        from pos.models import Agreement, agreement_outlet

        suppliers = (
            db.select(Agreement.investor_id)
            .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
            .where(agreement_outlet.c.outlet_id.in_(scope.outlet_ids))
        )
        query = query.where(Product.investor_id.in_(suppliers))
    text = text.strip()[:80]
    if text:
        query = query.where(
            or_(
                Product.name.ilike(_like_pattern(text), escape="\\"),
                Product.sku == text,
                Product.barcode == text,
            )
        )
    total = db.session.scalar(query.with_only_columns(func.count(Product.id))) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        query.order_by(Product.name, Product.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return Page(list(items), page, pages, total)


def categories() -> list[Category]:
    return list(db.session.scalars(db.select(Category).order_by(Category.name)))
