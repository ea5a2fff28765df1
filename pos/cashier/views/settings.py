"""Outlet settings a manager keeps at the till: the static QRIS."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.cashier.forms import (
    QrisSettingsForm,
)
from pos.cashier.views import bp
from pos.domain import qris
from pos.models import Role
from pos.web.access import allow
from pos.web.htmx import render


@bp.route("/settings/qris", methods=["GET", "POST"])
@allow(Role.MANAGER)
def qris_settings() -> ResponseReturnValue:
    outlet = current_user.outlet
    if outlet is None:
        abort(404)
    form = QrisSettingsForm()
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            code = qris.parse(form.payload.data)
        except qris.QrisError:
            error = _("This is not a valid QRIS code: check that it was copied completely.")
            status = 422
        else:
            if code.is_dynamic:
                error = _("This is a dynamic QRIS code; store the outlet's static QRIS instead.")
                status = 422
            else:
                outlet.qris_static = code.payload
                flash(_("QRIS saved."), "success")
                return redirect(url_for("cashier.qris_settings"), 303)
    elif request.method == "POST":
        status = 422
    current = None
    if outlet.qris_static:
        try:
            current = qris.parse(outlet.qris_static)
        except qris.QrisError:
            current = None
    if request.method == "GET" and outlet.qris_static:
        form.payload.data = outlet.qris_static
    return render("cashier/qris_settings.html", form=form, current=current, error=error), status
