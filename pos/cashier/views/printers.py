"""The manager's printer settings: how each of the outlet's registers prints, and a test page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.cashier.views import bp
from pos.core.errors import PosError
from pos.extensions import db
from pos.models import Register, Role
from pos.receipts import printers, spool
from pos.receipts.forms import PrinterForm
from pos.web.access import allow
from pos.web.forms import first_error
from pos.web.htmx import render
from pos.web.transaction import attempt


def _registers() -> list[Register]:
    return list(
        db.session.scalars(
            db.select(Register).where(Register.outlet_id == current_user.outlet_id).order_by(Register.code)
        )
    )


def _form_of(register: Register) -> PrinterForm:
    form = PrinterForm(formdata=None, prefix=f"r{register.id}")
    form.register.data = register.id
    for name in printers.FIELDS:
        form[name].data = getattr(register, name)
    return form


def _page(typed: PrinterForm | None = None, typed_for: int | None = None, error: str | None = None) -> Any:
    rows = []
    for register in _registers():
        form = typed if typed is not None and typed_for == register.id else _form_of(register)
        rows.append((register, form, spool.latest(register.outlet_id, register.uuid)))
    return render("cashier/printers.html", rows=rows, error=error, error_for=typed_for)


@bp.route("/printers", methods=["GET", "POST"])
@allow(Role.MANAGER)
def printer_settings() -> ResponseReturnValue:
    if request.method == "GET":
        return _page()
    prefix = next((k.split("-", 1)[0] for k in request.form if k.endswith("-register")), "")
    form = PrinterForm(prefix=prefix) if prefix else PrinterForm()
    if not form.validate():
        return _page(form, form.register.data, first_error(form)), 422
    register = db.session.scalar(
        db.select(Register).where(Register.id == form.register.data, Register.outlet_id == current_user.outlet_id)
    )
    if register is None:
        abort(404)
    try:
        with attempt():
            printers.save(register, current_user, **{name: form[name].data for name in printers.FIELDS})
    except PosError as exc:
        return _page(form, register.id, str(exc)), exc.status
    flash(_("Printing for %(register)s saved.", register=register.name), "success")
    return redirect(url_for("cashier.printer_settings", _anchor=f"register-{register.id}"), 303)


@bp.route("/printers/<int:register_id>/test", methods=["POST"])
@allow(Role.MANAGER)
def printer_test(register_id: int) -> ResponseReturnValue:
    register = db.session.scalar(
        db.select(Register).where(Register.id == register_id, Register.outlet_id == current_user.outlet_id)
    )
    if register is None:
        abort(404)
    try:
        with attempt():
            printers.test_print(register)
    except PosError as exc:
        return _page(error=str(exc), typed_for=register.id), exc.status
    flash(_("Test page sent to the printer."), "success")
    return redirect(url_for("cashier.printer_settings", _anchor=f"register-{register.id}"), 303)
