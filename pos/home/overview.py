"""What the start page counts for a user: their outlets, products, investors (reads only)."""

from __future__ import annotations

from sqlalchemy import func

from pos.auth.scope import Scope
from pos.extensions import db
from pos.models import Cooperative, Investor, Outlet, Product, User


def counts(scope: Scope, *, programme: bool) -> dict[str, int]:
    """Outlets and active products in the scope; investors when the scope is not one investor's; cooperatives
    and users for the programme's own staff (``programme``)."""
    outlets = db.select(func.count(Outlet.id))
    if scope.outlet_ids is not None:
        outlets = outlets.where(Outlet.id.in_(scope.outlet_ids))
    products = db.select(func.count(Product.id)).where(Product.active.is_(True))
    if scope.investor_ids is not None:
        products = products.where(Product.investor_id.in_(scope.investor_ids))
    out = {"outlets": db.session.scalar(outlets) or 0, "products": db.session.scalar(products) or 0}
    if scope.investor_ids is None:
        out["investors"] = db.session.scalar(db.select(func.count(Investor.id))) or 0
    if programme:
        out["cooperatives"] = db.session.scalar(db.select(func.count(Cooperative.id))) or 0
        out["users"] = db.session.scalar(db.select(func.count(User.id))) or 0
    return out


def outlets_in(scope: Scope) -> list[Outlet]:
    query = db.select(Outlet).join(Outlet.cooperative).order_by(Cooperative.name, Outlet.name)
    if scope.outlet_ids is not None:
        query = query.where(Outlet.id.in_(scope.outlet_ids))
    return list(db.session.scalars(query))
