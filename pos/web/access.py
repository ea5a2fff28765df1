"""Who may call which view. Every view is closed unless it says who may use it.

``@allow(Role.MANAGER, ...)`` names the roles for a view; ``@public`` opens it to everyone.
A view with neither answers 403 to everybody, so a new route cannot slip in unguarded.
Object checks (this outlet, this investor) are done by the operations through ``pos.auth.scope.Scope``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from pos.auth.scope import STAFF_ROLES, Scope, scope_for
from pos.models import Role

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset(Role)
__all__ = ["ALL_ROLES", "STAFF_ROLES", "Scope", "allow", "one_by_uuid", "public", "scope_for", "token_auth"]


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
