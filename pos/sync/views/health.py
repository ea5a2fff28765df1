"""Sync screens: the outlet's own status with "sync now", and central's view of every outlet."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.core import clock
from pos.core.zones import programme_zone
from pos.extensions import db
from pos.models import Outlet, Role
from pos.sync import status, tokens
from pos.sync.views import bp
from pos.web.access import allow
from pos.web.forms import ConfirmForm
from pos.web.htmx import render

R = Role


@bp.route("/sync")
@allow(R.CASHIER, R.MANAGER, R.ADMIN)
def sync_status() -> ResponseReturnValue:
    state = status.outlet_status(
        configured=bool(current_app.config.get("POS_CENTRAL_URL") and current_app.config.get("POS_SYNC_TOKEN")),
        stale_after=_stale_after(),
    )
    return render("sync/status.html", s=state, held=status.held(), form=ConfirmForm(formdata=None))


def _stale_after() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("POS_SYNC_STALE_MINUTES", 60)))


@bp.route("/sync/now", methods=["POST"])
@allow(R.CASHIER, R.MANAGER, R.ADMIN)
def sync_now() -> ResponseReturnValue:
    if not ConfirmForm().validate():
        abort(400)
    from pos.sync import worker  # and httpx, when the node syncs

    try:
        report = worker.sync_once()
    except worker.SyncError as exc:
        flash(_("Sync failed: %(error)s. Sales are safe here and will be sent later.", error=str(exc)[:200]), "error")
    else:
        flash(
            _("Synced: %(sent)d events sent, %(pulled)d changes received.", sent=report.sent, pulled=report.pulled),
            "success",
        )
    return redirect(url_for("sync.sync_status"), 303)


@bp.route("/sync/health")
@allow(R.CENTRAL, R.ADMIN)
def health() -> ResponseReturnValue:
    now = clock.now()
    outlets, conflicts = status.by_outlet(clock.business_date(programme_zone()), now)
    return render(
        "sync/health.html",
        outlets=outlets,
        conflicts=conflicts,
        form=ConfirmForm(formdata=None),
        new_token=None,
        now=now,
        stale=_stale_after(),
    )


def _outlet(code: str) -> Outlet:
    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
    if outlet is None:
        abort(404)
    return outlet


@bp.route("/sync/outlets/<code>/token", methods=["POST"])
@allow(R.ADMIN)
def issue_token(code: str) -> ResponseReturnValue:
    outlet = _outlet(code)
    if not ConfirmForm().validate():
        abort(400)
    token = tokens.issue(outlet, current_user)
    return render("sync/token.html", outlet=outlet, token=token)


@bp.route("/sync/outlets/<code>/reset-pins", methods=["POST"])
@allow(R.ADMIN)
def reset_pins(code: str) -> ResponseReturnValue:
    """After a node is stolen: every PIN of its staff new, shown once here; rotate its token beside it."""
    from pos.auth import accounts

    outlet = _outlet(code)
    if not ConfirmForm().validate():
        abort(400)
    handed = accounts.reset_outlet_pins(outlet, current_user)
    return render("sync/pins.html", outlet=outlet, handed=handed)


@bp.route("/sync/outlets/<code>/revoke", methods=["POST"])
@allow(R.ADMIN)
def revoke_token(code: str) -> ResponseReturnValue:
    outlet = _outlet(code)
    if not ConfirmForm().validate():
        abort(400)
    count = tokens.revoke_all(outlet, current_user)
    flash(_("%(n)d token(s) of %(outlet)s revoked.", n=count, outlet=outlet.name), "success")
    return redirect(url_for("sync.health"), 303)
