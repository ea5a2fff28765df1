"""Sync screens: the outlet's own status with "sync now", and central's view of every outlet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from pos.core import clock
from pos.extensions import db
from pos.models import OutboxEvent, Outlet, OutletSyncState, Role, SyncConflict
from pos.stock.forms import ConfirmForm
from pos.sync import tokens, worker
from pos.sync.views import bp
from pos.web.access import allow
from pos.web.htmx import render

R = Role


def outlet_status() -> dict[str, Any]:
    state = db.session.get(worker.SyncStatus, 1)
    quarantined = (
        db.session.scalar(db.select(func.count(OutboxEvent.id)).where(OutboxEvent.quarantined_at.is_not(None))) or 0
    )
    stale_after = timedelta(minutes=int(current_app.config.get("POS_SYNC_STALE_MINUTES", 60)))
    last_success = state.last_success_at if state else None
    pending = worker.pending_count()
    oldest = db.session.scalar(
        db.select(func.min(OutboxEvent.created_at)).where(
            OutboxEvent.sent_at.is_(None), OutboxEvent.quarantined_at.is_(None)
        )
    )
    stale = pending > 0 and (oldest is not None and clock.now() - oldest > stale_after)
    return {
        "configured": bool(current_app.config.get("POS_CENTRAL_URL") and current_app.config.get("POS_SYNC_TOKEN")),
        "pending": pending,
        "quarantined": quarantined,
        "last_success": last_success,
        "last_attempt": state.last_attempt_at if state else None,
        "last_error": state.last_error if state else None,
        "stale": stale,
        "stale_minutes": int(stale_after.total_seconds() // 60),
        "oldest": oldest,
    }


@bp.route("/sync")
@allow(R.CASHIER, R.MANAGER, R.ADMIN)
def sync_status():  # type: ignore[no-untyped-def]
    held = db.session.scalars(
        db.select(OutboxEvent).where(OutboxEvent.quarantined_at.is_not(None)).order_by(OutboxEvent.seq).limit(50)
    ).all()
    return render("sync/status.html", s=outlet_status(), held=held, form=ConfirmForm(formdata=None))


@bp.route("/sync/now", methods=["POST"])
@allow(R.CASHIER, R.MANAGER, R.ADMIN)
def sync_now():  # type: ignore[no-untyped-def]
    if not ConfirmForm().validate():
        abort(400)
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
def health():  # type: ignore[no-untyped-def]
    today = clock.business_date(current_app.config.get("POS_TIMEZONE") or "Asia/Jakarta")
    open_conflicts = dict(
        db.session.execute(
            db.select(SyncConflict.outlet_id, func.count(SyncConflict.id))
            .where(SyncConflict.resolved_at.is_(None))
            .group_by(SyncConflict.outlet_id)
        ).all()
    )
    rows = db.session.execute(
        db.select(Outlet, OutletSyncState)
        .outerjoin(OutletSyncState, OutletSyncState.outlet_id == Outlet.id)
        .order_by(Outlet.code)
        .limit(2000)
    ).all()
    now = clock.now()
    outlets = [
        {
            "outlet": outlet,
            "state": state,
            "today": state.received_on(today) if state else 0,
            "conflicts": open_conflicts.get(outlet.id, 0),
            "lag": (now - state.last_event_at) if state and state.last_event_at else None,
            "tokens": tokens.active(outlet),
        }
        for outlet, state in rows
    ]
    codes = {outlet.id: outlet.code for outlet, _state in rows}
    conflicts = [
        (codes.get(c.outlet_id, "?"), c)
        for c in db.session.scalars(
            db.select(SyncConflict).where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.id.desc()).limit(50)
        )
    ]
    return render(
        "sync/health.html",
        outlets=outlets,
        conflicts=conflicts,
        form=ConfirmForm(formdata=None),
        new_token=None,
        now=now,
        stale=timedelta(minutes=int(current_app.config.get("POS_SYNC_STALE_MINUTES", 60))),
    )


def _outlet(code: str) -> Outlet:
    outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == code))
    if outlet is None:
        abort(404)
    return outlet


@bp.route("/sync/outlets/<code>/token", methods=["POST"])
@allow(R.ADMIN)
def issue_token(code: str):  # type: ignore[no-untyped-def]
    outlet = _outlet(code)
    if not ConfirmForm().validate():
        abort(400)
    token = tokens.issue(outlet, current_user)
    db.session.commit()
    return render("sync/token.html", outlet=outlet, token=token)


@bp.route("/sync/outlets/<code>/revoke", methods=["POST"])
@allow(R.ADMIN)
def revoke_token(code: str):  # type: ignore[no-untyped-def]
    outlet = _outlet(code)
    if not ConfirmForm().validate():
        abort(400)
    count = tokens.revoke_all(outlet, current_user)
    db.session.commit()
    flash(_("%(n)d token(s) of %(outlet)s revoked.", n=count, outlet=outlet.name), "success")
    return redirect(url_for("sync.health"), 303)
