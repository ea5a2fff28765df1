"""The till settings a manager keeps at the outlet: cash rounding, the blind drawer count, the static QRIS."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.cashier import qris_photo as qris_photo_reader
from pos.cashier import settings
from pos.cashier.forms import QrisPhotoForm, QrisSettingsForm, ReceiptSettingsForm, TillSettingsForm
from pos.cashier.views import bp
from pos.core.errors import PosError
from pos.domain import qris
from pos.models import Outlet, Role
from pos.web.access import allow
from pos.web.forms import first_error
from pos.web.htmx import render
from pos.web.transaction import attempt


def _outlet() -> Outlet:
    outlet = current_user.outlet
    if outlet is None:
        abort(404)
    return outlet


@bp.route("/settings", methods=["GET", "POST"])
@allow(Role.MANAGER)
def till_settings() -> ResponseReturnValue:
    outlet = _outlet()
    form = TillSettingsForm(prefix="till")
    if form.validate_on_submit():
        with attempt():
            settings.save(
                outlet,
                current_user,
                cash_rounding=form.cash_rounding.data,
                show_expected_cash=bool(form.show_expected_cash.data),
            )
        flash(_("Till settings saved."), "success")
        return redirect(url_for("cashier.till_settings"), 303)
    status = 422 if request.method == "POST" else 200
    if request.method == "GET":
        form.cash_rounding.data = outlet.cash_rounding
        form.show_expected_cash.data = outlet.show_expected_cash
    return _page(outlet, form, QrisSettingsForm(prefix="qris"), None), status


@bp.route("/settings/qris", methods=["GET", "POST"])
@allow(Role.MANAGER)
def qris_settings() -> ResponseReturnValue:
    outlet = _outlet()
    if request.method == "GET":
        return redirect(url_for("cashier.till_settings", _anchor="qris"))
    form = QrisSettingsForm(prefix="qris")
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                settings.save(outlet, current_user, qris_static=form.payload.data)
        except PosError as exc:
            error = str(exc)
        else:
            flash(_("QRIS saved."), "success")
            return redirect(url_for("cashier.till_settings", _anchor="qris"), 303)
    till = _till_form(outlet)
    return _page(outlet, till, form, error), 422


@bp.route("/settings/qris/photo", methods=["POST"])
@allow(Role.MANAGER)
def qris_photo() -> ResponseReturnValue:
    """A photo of the sticker read into the QRIS form, shown for the manager to check and save (nothing saved yet)."""
    outlet = _outlet()
    photo = QrisPhotoForm()
    qris_form = QrisSettingsForm(prefix="qris", formdata=None)
    till = _till_form(outlet)
    if not photo.validate():
        return _page(outlet, till, qris_form, _("Choose a photo of the QRIS sticker.")), 422
    upload = photo.photo.data
    try:
        content = upload.read(qris_photo_reader.MAX_BYTES + 1)
    finally:
        upload.close()
    try:
        payload = qris_photo_reader.read(content)
    except PosError as exc:
        return _page(outlet, till, qris_form, str(exc)), exc.status
    qris_form.payload.data = payload
    return _page(outlet, till, qris_form, None, found=qris.parse(payload))


@bp.route("/settings/receipt", methods=["GET", "POST"])
@allow(Role.MANAGER)
def receipt_settings() -> ResponseReturnValue:
    """What the receipt says of the outlet: its NPWP and NITKU, if any, and the footer."""
    outlet = _outlet()
    if request.method == "GET":
        return redirect(url_for("cashier.till_settings", _anchor="receipt"))
    form = ReceiptSettingsForm(prefix="receipt")
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                settings.save(
                    outlet,
                    current_user,
                    npwp=form.npwp.data or "",
                    nitku=form.nitku.data or "",
                    receipt_footer=form.receipt_footer.data or "",
                )
        except PosError as exc:
            error = str(exc)
        else:
            flash(_("Receipt settings saved."), "success")
            return redirect(url_for("cashier.till_settings", _anchor="receipt"), 303)
    till = _till_form(outlet)
    return _page(
        outlet,
        till,
        QrisSettingsForm(prefix="qris", formdata=None),
        None,
        receipt=form,
        receipt_error=error or first_error(form),
    ), 422


def _till_form(outlet: Outlet) -> TillSettingsForm:
    till = TillSettingsForm(prefix="till", formdata=None)
    till.cash_rounding.data = outlet.cash_rounding
    till.show_expected_cash.data = outlet.show_expected_cash
    return till


def _receipt_form(outlet: Outlet) -> ReceiptSettingsForm:
    form = ReceiptSettingsForm(prefix="receipt", formdata=None)
    form.npwp.data, form.nitku.data, form.receipt_footer.data = outlet.npwp, outlet.nitku, outlet.receipt_footer
    return form


def _page(
    outlet: Outlet,
    till: TillSettingsForm,
    qris_form: QrisSettingsForm,
    error: str | None,
    found: Any = None,
    receipt: ReceiptSettingsForm | None = None,
    receipt_error: str | None = None,
) -> Any:
    current = None
    if outlet.qris_static:
        try:
            current = qris.parse(outlet.qris_static)
        except qris.QrisError:
            current = None
    if not qris_form.payload.data and outlet.qris_static:
        qris_form.payload.data = outlet.qris_static
    return render(
        "cashier/settings.html",
        form=till,
        qris_form=qris_form,
        photo_form=QrisPhotoForm(formdata=None),
        current=current,
        found=found,
        error=error,
        receipt_form=receipt or _receipt_form(outlet),
        receipt_error=receipt_error,
    )
