"""Which time zone a day is counted in: an outlet's own, else the programme's (``POS_TIMEZONE``)."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

from pos.core.clock import DEFAULT_TIMEZONE


def programme_zone() -> str:
    """The zone of programme-wide days (central's dashboards, staffing, investors across outlets)."""
    return (current_app.config.get("POS_TIMEZONE") if has_app_context() else None) or DEFAULT_TIMEZONE


def zone_of(outlet: Any | None) -> str:
    return outlet.timezone if outlet is not None else programme_zone()


def user_zone() -> str:
    """The signed-in user's zone: their outlet's, else the programme's."""
    from flask import has_request_context
    from flask_login import current_user

    outlet = getattr(current_user, "outlet", None) if has_request_context() else None
    return zone_of(outlet)
