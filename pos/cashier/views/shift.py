"""The shift: opening with a float, cash in and out, closing with a count, the Z report."""

from __future__ import annotations

import json

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pos.auth.accounts import policy
from pos.cashier import shifts
from pos.cashier.forms import (
    CashMoveForm,
    CloseShiftForm,
    OpenShiftForm,
    denomination_fields,
)
from pos.cashier.views import bp
from pos.cashier.views.common import STAFF, current_shift, require_shift, shift_in_scope
from pos.core.errors import PosError
from pos.domain.cash import DENOMINATIONS
from pos.models import CashMovementKind
from pos.receipts import spool
from pos.web.access import allow
from pos.web.htmx import render
from pos.web.transaction import attempt


@bp.route("/shift/open", methods=["GET", "POST"])
@allow(*STAFF)
def open_shift() -> ResponseReturnValue:
    if current_shift() is not None:
        return redirect(url_for("cashier.register"))
    form = OpenShiftForm()
    choices = shifts.registers(current_user.outlet_id) if current_user.outlet_id else []
    form.register.choices = [SelectChoice(r.id, f"{r.name} ({r.code})") for r in choices]
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                shifts.open_shift(current_user, form.register.data, form.opening_float.data)
        except PosError as exc:
            error, status = str(exc), exc.status
        else:
            flash(_("Shift opened. Happy selling!"), "success")
            return redirect(url_for("cashier.register"), 303)
    elif request.method == "POST":
        status = 422
    return render("cashier/open_shift.html", form=form, error=error), status


@bp.route("/shift/cash", methods=["GET", "POST"])
@allow(*STAFF)
def cash_move() -> ResponseReturnValue:
    shift = require_shift()
    form = CashMoveForm()
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            with attempt():
                shifts.move_cash(
                    shift, CashMovementKind(form.kind.data), form.amount.data, form.reason.data, current_user
                )
        except PosError as exc:
            error, status = str(exc), exc.status
        else:
            flash(_("Cash movement recorded."), "success")
            return redirect(url_for("cashier.cash_move"), 303)
    elif request.method == "POST":
        status = 422
    report = shifts.z_report(shift)
    return render("cashier/cash.html", form=form, shift=shift, report=report, error=error), status


@bp.route("/shift/close", methods=["GET", "POST"])
@allow(*STAFF)
def close_shift() -> ResponseReturnValue:
    shift = require_shift()
    form = CloseShiftForm()
    status = 200
    counts: dict[int, int] = {}
    count_error = None
    if request.method == "POST":
        valid = form.validate()
        for denomination, name in denomination_fields():
            if form[name].errors:
                count_error = str(form[name].errors[0])
                break
            if form[name].data:
                counts[denomination] = int(form[name].data)
        status = 422
        if valid and count_error is None:
            try:
                with attempt():
                    shifts.close_shift(
                        shift, counts, current_user, form.manager_pin.data or "", form.note.data or "", policy()
                    )
            except PosError as exc:
                count_error, status = str(exc), exc.status
            else:
                return redirect(url_for("cashier.z_report", shift_uuid=shift.uuid), 303)
    counted = sum(d * n for d, n in counts.items())
    expected = shifts.expected_cash(shift)
    return (
        render(
            "cashier/close.html",
            "summary",
            form=form,
            shift=shift,
            denominations=denomination_fields(),
            counts=counts,
            counted=counted,
            expected=expected,
            difference=counted - expected,
            tolerance=shift.outlet.cash_tolerance,
            count_error=count_error,
            # Blind count: the expected cash shows once the drawer has been counted (or first, if the outlet says so).
            reveal=shift.outlet.show_expected_cash or request.method == "POST",
        ),
        status,
    )


@bp.route("/shifts/<shift_uuid>/z")
@allow(*STAFF)
def z_report(shift_uuid: str) -> ResponseReturnValue:
    shift = shift_in_scope(shift_uuid)
    counts = json.loads(shift.cash_counts) if shift.cash_counts else {}
    job = spool.latest(shift.outlet_id, shift.uuid) if shift.register.print_via == "node" else None
    return render(
        "cashier/z_report.html",
        report=shifts.z_report(shift),
        counts=[(d, int(counts.get(str(d), 0))) for d in DENOMINATIONS if counts.get(str(d))],
        job=job,
        escpos_url=url_for("cashier.z_report_escpos", shift_uuid=shift.uuid),
    )
