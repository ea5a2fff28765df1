"""Who may call which view. Every view is closed unless it says who may use it.

``@allow(Role.MANAGER, ...)`` names the roles for a view; ``@public`` opens it to everyone.
A view with neither answers 403 to everybody, so a new route cannot slip in unguarded.
Object checks (this outlet, this investor) are done by the operations through ``Scope``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from pos.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset(Role)
STAFF_ROLES = frozenset({Role.CASHIER, Role.MANAGER})


def allow(*roles: Role) -> Callable[[F], F]:
    def mark(view: F) -> F:
        view._pos_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    view._pos_public = True  # type: ignore[attr-defined]
    return view


def token_auth(view: F) -> F:
    """The view authenticates its caller itself (an outlet's bearer token)."""
    view._pos_token = True  # type: ignore[attr-defined]
    return view


def roles_of(view: Callable[..., Any]) -> frozenset[Role] | None:
    return getattr(view, "_pos_roles", None)


def is_public(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "_pos_public", False) or getattr(view, "_pos_token", False))


def _guard() -> Any:
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    if is_public(view):
        return None
    if not current_user.is_authenticated:
        if request.headers.get("HX-Request"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    roles = roles_of(view)
    if roles is None or current_user.role not in roles:
        abort(403)
    return None


def register(app: Flask) -> None:
    app.before_request(_guard)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one user may see: outlets, cooperatives and investors by id (None = all)."""

    outlet_ids: frozenset[int] | None
    cooperative_ids: frozenset[int] | None
    investor_ids: frozenset[int] | None

    def sees_outlet(self, outlet_id: int) -> bool:
        return self.outlet_ids is None or outlet_id in self.outlet_ids

    def sees_investor(self, investor_id: int) -> bool:
        return self.investor_ids is None or investor_id in self.investor_ids

    def sees_cooperative(self, cooperative_id: int) -> bool:
        return self.cooperative_ids is None or cooperative_id in self.cooperative_ids


def scope_for(user: User) -> Scope:
    from pos.extensions import db
    from pos.models import Outlet

    nothing: frozenset[int] = frozenset()
    if user.role in (Role.CENTRAL, Role.ADMIN, Role.FACILITATOR):
        return Scope(None, None, None)
    if user.role in STAFF_ROLES:
        outlets = frozenset({user.outlet_id}) if user.outlet_id else nothing
        coop = user.outlet.cooperative_id if user.outlet else None
        return Scope(outlets, frozenset({coop}) if coop else nothing, None)
    if user.role == Role.BOARD:
        coops = frozenset({user.cooperative_id}) if user.cooperative_id else nothing
        outlet_ids = frozenset(db.session.scalars(db.select(Outlet.id).where(Outlet.cooperative_id.in_(coops))))
        return Scope(outlet_ids, coops, None)
    if user.role == Role.INVESTOR:
        investors = frozenset({user.investor_id}) if user.investor_id else nothing
        return Scope(None, None, investors)
    return Scope(nothing, nothing, nothing)


def one_by_uuid(query: Any, model: Any, text: str) -> Any:
    """The record with this UUID among those ``query`` lets the user see, or 404."""
    import uuid

    from pos.extensions import db

    try:
        key = uuid.UUID(text)
    except ValueError:
        abort(404)
    found = db.session.scalar(query.where(model.uuid == key))
    if found is None:
        abort(404)
    return found


def require(condition: bool) -> None:
    """Object check: a record outside the user's scope is answered as not found."""
    if not condition:
        abort(404)
