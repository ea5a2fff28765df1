"""What the stock views share: the outlet in view, whose goods the user sees, quantities, exports."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_

from pos.core.errors import PosError
from pos.domain.quantity import QuantityError, format_quantity, parse_quantity
from pos.domain.units import unit
from pos.extensions import db
from pos.models import Outlet, Product, Role
from pos.partnership import supply
from pos.web.access import scope_for
from pos.web.forms import url_args

R = Role


def visible_outlets() -> list[Outlet]:
    if current_user.role == R.INVESTOR:
        return supply.outlets_of(current_user.investor_id) if current_user.investor_id else []
    scope = scope_for(current_user)
    query = db.select(Outlet).order_by(Outlet.name)
    if scope.outlet_ids is not None:
        query = query.where(Outlet.id.in_(scope.outlet_ids))
    return list(db.session.scalars(query))


def chosen_outlet(outlets: list[Outlet] | None = None) -> Outlet | None:
    """The outlet named by ``?outlet=CODE`` among those the user may see (the only one for staff)."""
    outlets = visible_outlets() if outlets is None else outlets
    code = url_args().text("outlet") or ""
    if code:
        for outlet in outlets:
            if outlet.code == code:
                return outlet
        abort(404)
    return outlets[0] if outlets else None


def investor_ids(outlet: Outlet) -> set[int]:
    """Whose goods the user sees at this outlet: an investor only their own."""
    if current_user.role == R.INVESTOR:
        return {current_user.investor_id} if current_user.investor_id else set()
    return supply.investor_ids_of(outlet.id)


def product_by_code(code: str, investors: set[int]) -> Product:
    code = code.strip()
    product = db.session.scalar(
        db.select(Product)
        .where(Product.investor_id.in_(investors), or_(Product.barcode == code, Product.sku == code))
        .order_by(Product.active.desc())
        .limit(1)
    )
    if product is None:
        raise PosError(_("No product with code %(code)s here.", code=code[:60]), 404)
    return product


def quantity(text: str, product: Product, *, allow_zero: bool = False) -> int:
    u = unit(product.unit)
    text = (text or "").strip()
    if allow_zero and text in ("0", "0,0", "0.0", "0,000", "0.000"):
        return 0
    try:
        return parse_quantity(text, u)
    except QuantityError as exc:
        if u.by_measure:
            message = _(
                "%(name)s: enter the weight or volume, e.g. 1,25 (in %(unit)s).", name=product.name, unit=u.code
            )
        else:
            message = _("%(name)s is counted in whole units: enter a whole number.", name=product.name)
        raise PosError(message) from exc


def show_quantity(steps: int | None, unit_code: str) -> str:
    if steps is None:
        return ""
    return format_quantity(steps, unit(unit_code))


def in_scope(model: Any, order: Any) -> Any:
    """The documents of ``model`` (deliveries, returns, restock requests) the user may see, newest first."""
    scope = scope_for(current_user)
    query = db.select(model).order_by(order.desc(), model.id.desc())
    if scope.investor_ids is not None:
        query = query.where(model.investor_id.in_(scope.investor_ids))
    if scope.outlet_ids is not None:
        query = query.where(model.outlet_id.in_(scope.outlet_ids))
    return query
