"""What every till screen needs: the open shift, the open cart, dialogs, the sale in scope."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, g, request
from flask_babel import gettext as _
from flask_login import current_user

from pos.cashier import cart as cart_service
from pos.cashier import shifts
from pos.core.errors import PosError
from pos.extensions import db
from pos.models import Role, Sale, Shift
from pos.web.access import STAFF_ROLES, one_by_uuid
from pos.web.htmx import render, wants_fragment

STAFF = tuple(STAFF_ROLES)


def current_shift() -> Shift | None:
    if "pos_shift" not in g:
        g.pos_shift = shifts.open_shift_of(current_user)
    return g.pos_shift


def require_shift() -> Shift:
    shift = current_shift()
    if shift is None:
        raise PosError(_("There is no open shift. Open a shift first."), 409)
    return shift


def till_cart(shift: Shift) -> Any:
    """The open cart: to show on a read (nothing is stored), to change on a write (stored if new)."""
    if "pos_cart" not in g:
        reading = request.method in ("GET", "HEAD")
        g.pos_cart = cart_service.open_cart(shift) if reading else cart_service.cart_of(shift)
    return g.pos_cart


def dialog(template: str, **context: Any) -> Any:
    """A dialog over the register for htmx; a page of its own for a plain browser."""
    if wants_fragment():
        headers = {"HX-Retarget": "#dialog", "HX-Reswap": "innerHTML"}
        return render(template, "dialog", **context), 200, headers
    return render(template, **context)


def sale_in_scope(sale_uuid: str) -> Sale:
    return one_by_uuid(db.select(Sale).where(Sale.outlet_id == current_user.outlet_id), Sale, sale_uuid)


def shift_in_scope(shift_uuid: str) -> Shift:
    """A shift of the user's outlet; a cashier sees only their own."""
    try:
        key = uuid.UUID(shift_uuid)
    except ValueError:
        abort(404)
    shift = db.session.scalar(db.select(Shift).where(Shift.outlet_id == current_user.outlet_id, Shift.uuid == key))
    if shift is None or (current_user.role == Role.CASHIER and shift.cashier_id != current_user.id):
        abort(404)
    return shift
