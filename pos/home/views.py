"""Landing pages: each role starts where its work is."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from pos.home import overview
from pos.models import Role
from pos.stock import catalog
from pos.web.access import ALL_ROLES, allow, scope_for
from pos.web.forms import url_args
from pos.web.htmx import render

bp = Blueprint("home", __name__)

R = Role


@bp.route("/")
@allow(*ALL_ROLES)
def index() -> ResponseReturnValue:
    if current_user.role == R.CASHIER and "cashier.register" in current_app.view_functions:
        return redirect(url_for("cashier.register"))
    return redirect(url_for("home.dashboard"))


@bp.route("/dashboard")
@allow(*ALL_ROLES)
def dashboard() -> ResponseReturnValue:
    figures = overview.counts(scope_for(current_user), programme=current_user.role in (R.CENTRAL, R.ADMIN))
    return render("home/dashboard.html", figures=figures, work=_work())


def _work() -> dict[str, Any]:
    """The work waiting for this user: each role's own tiles."""
    from datetime import timedelta

    from pos.core import clock
    from pos.core.zones import user_zone, zone_of
    from pos.home import work
    from pos.partnership import supply

    role = current_user.role
    if role == R.MANAGER and current_user.outlet is not None:
        outlet = current_user.outlet
        waiting = None
        if current_app.config.get("POS_ROLE") == "outlet":
            from pos.sync import outbox

            waiting = outbox.pending_count(outlet.id)
        today = clock.business_date(zone_of(outlet))
        return work.manager(outlet, today, supply.investor_ids_of(outlet.id), waiting)
    today = clock.business_date(user_zone())
    if role == R.INVESTOR and current_user.investor_id:
        return work.investor(current_user.investor_id, today)
    if role == R.BOARD and current_user.cooperative_id:
        return work.board(current_user.cooperative_id, today)
    if role in (R.CENTRAL, R.ADMIN):
        stale = timedelta(minutes=int(current_app.config.get("POS_SYNC_STALE_MINUTES", 60)))
        return work.central(clock.now(), stale)
    return {"tiles": []}


@bp.route("/products")
@allow(R.MANAGER, R.INVESTOR, R.CENTRAL, R.ADMIN)
def products() -> ResponseReturnValue:
    text = url_args().text("q") or ""
    page_number = url_args().text("page") or "1"
    page = catalog.search_products(scope_for(current_user), text, int(page_number) if page_number.isdigit() else 1)
    return render("home/products.html", "results", page=page, q=text)


@bp.route("/outlets")
@allow(R.BOARD, R.CENTRAL, R.ADMIN, R.FACILITATOR, R.MANAGER)
def outlets() -> ResponseReturnValue:
    return render("home/outlets.html", outlets=overview.outlets_in(scope_for(current_user)))
