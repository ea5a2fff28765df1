"""Returns to investors and restock requests."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pos.core.errors import PosError
from pos.extensions import db
from pos.models import RestockRequest, RestockStatus, ReturnReason, Role, StockReturn
from pos.partnership import supply
from pos.stock import restock, returns
from pos.stock.forms import DeclineForm, RestockForm, ReturnForm
from pos.stock.views import bp
from pos.stock.views.common import chosen_outlet, in_scope, product_by_code, quantity
from pos.web.access import allow, one_by_uuid
from pos.web.forms import ConfirmForm, confirmed, url_args
from pos.web.htmx import render
from pos.web.transaction import attempt

R = Role
READERS = (R.MANAGER, R.INVESTOR, R.BOARD, R.CENTRAL, R.ADMIN)
REASONS = {
    ReturnReason.EXPIRED: _l("Expired"),
    ReturnReason.DAMAGED: _l("Damaged"),
    ReturnReason.UNSOLD: _l("Unsold"),
}


# Returns


@bp.route("/returns")
@allow(*READERS)
def return_list() -> ResponseReturnValue:
    rows = db.session.scalars(in_scope(StockReturn, StockReturn.sent_at).limit(300)).all()
    return render("stock/returns.html", returns=rows, reasons=REASONS)


def _return_form(outlet_id: int, formdata: Any = None) -> ReturnForm:
    form = ReturnForm(formdata=formdata) if formdata is not None else ReturnForm(formdata=None)
    form.investor.choices = [SelectChoice(i.id, i.name) for i in supply.investors_of(outlet_id)]
    form.reason.choices = [SelectChoice(k.value, label) for k, label in REASONS.items()]
    return form


@bp.route("/returns/new", methods=["GET", "POST"])
@allow(R.MANAGER)
def return_new() -> ResponseReturnValue:
    outlet = chosen_outlet()
    if outlet is None:
        abort(404)
    if request.method == "GET":
        return render("stock/return_form.html", form=_return_form(outlet.id), error=None)
    form = _return_form(outlet.id, request.form)
    if url_args().flag("more"):
        for _n in range(5):
            form.lines.append_entry()
        return render("stock/return_form.html", form=form, error=None)
    if not form.validate():
        return render("stock/return_form.html", form=form, error=_("Check the return.")), 422
    investor = next((i for i in supply.investors_of(outlet.id) if i.id == form.investor.data), None)
    if investor is None:
        abort(404)
    try:
        with attempt():
            lines: dict[int, int] = {}
            for entry in form.lines:
                code = (entry.form.code.data or "").strip()
                if not code and not (entry.form.quantity.data or "").strip():
                    continue
                if not code:
                    raise PosError(_("Every line needs a product code."))
                product = product_by_code(code, {investor.id})
                lines[product.id] = lines.get(product.id, 0) + quantity(entry.form.quantity.data or "", product)
            document = returns.create_return(
                outlet, investor, ReturnReason(form.reason.data), lines, current_user, form.note.data or ""
            )
    except PosError as exc:
        return render("stock/return_form.html", form=form, error=str(exc)), exc.status
    flash(_("Return %(number)s recorded; the goods left stock.", number=document.number), "success")
    return redirect(url_for("stock.return_detail", return_uuid=document.uuid), 303)


@bp.route("/returns/<return_uuid>")
@allow(*READERS)
def return_detail(return_uuid: str) -> ResponseReturnValue:
    document = one_by_uuid(in_scope(StockReturn, StockReturn.sent_at), StockReturn, return_uuid)
    if url_args().text("print"):
        return render_template("stock/return_print.html", r=document, reasons=REASONS)
    return render("stock/return.html", r=document, reasons=REASONS, form=ConfirmForm(formdata=None))


@bp.route("/returns/<return_uuid>/confirm", methods=["POST"])
@allow(R.INVESTOR)
def return_confirm(return_uuid: str) -> ResponseReturnValue:
    document = one_by_uuid(in_scope(StockReturn, StockReturn.sent_at), StockReturn, return_uuid)
    return confirmed(
        lambda: returns.confirm_return(document, current_user),
        url_for("stock.return_detail", return_uuid=return_uuid),
        lambda: _("Receipt of return %(number)s confirmed.", number=document.number),
    )


# Restock requests


@bp.route("/restock")
@allow(*READERS)
def restock_list() -> ResponseReturnValue:
    query = in_scope(RestockRequest, RestockRequest.requested_at)
    status = url_args().text("status") or ""
    if status in set(RestockStatus):
        query = query.where(RestockRequest.status == status)
    return render("stock/restock_list.html", requests=db.session.scalars(query.limit(300)).all(), status=status)


def _restock_form(outlet_id: int, formdata: Any = None) -> RestockForm:
    form = RestockForm(formdata=formdata) if formdata is not None else RestockForm(formdata=None)
    form.investor.choices = [SelectChoice(i.id, i.name) for i in supply.investors_of(outlet_id)]
    return form


@bp.route("/restock/new", methods=["GET", "POST"])
@allow(R.MANAGER)
def restock_new() -> ResponseReturnValue:
    outlet = chosen_outlet()
    if outlet is None:
        abort(404)
    if request.method == "GET":
        return render("stock/restock_form.html", form=_restock_form(outlet.id), error=None)
    form = _restock_form(outlet.id, request.form)
    if url_args().flag("more"):
        for _n in range(5):
            form.lines.append_entry()
        return render("stock/restock_form.html", form=form, error=None)
    if not form.validate():
        return render("stock/restock_form.html", form=form, error=_("Check the request.")), 422
    investor = next((i for i in supply.investors_of(outlet.id) if i.id == form.investor.data), None)
    if investor is None:
        abort(404)
    try:
        with attempt():
            lines = []
            for entry in form.lines:
                code = (entry.form.code.data or "").strip()
                text = (entry.form.description.data or "").strip()
                qty_text = (entry.form.quantity.data or "").strip()
                if not code and not text and not qty_text:
                    continue
                if code:
                    product = product_by_code(code, {investor.id})
                    lines.append(restock.Wanted(quantity(qty_text, product), product.id))
                else:
                    if not qty_text.isdigit() or int(qty_text) <= 0:
                        raise PosError(_("%(what)s: enter a whole quantity.", what=text or "?"))
                    lines.append(restock.Wanted(int(qty_text), None, text))
            document = restock.create(outlet, investor, lines, current_user, form.note.data or "")
    except PosError as exc:
        return render("stock/restock_form.html", form=form, error=str(exc)), exc.status
    flash(_("Request %(number)s sent to %(investor)s.", number=document.number, investor=investor.name), "success")
    return redirect(url_for("stock.restock_detail", request_uuid=document.uuid), 303)


@bp.route("/restock/<request_uuid>")
@allow(*READERS)
def restock_detail(request_uuid: str) -> ResponseReturnValue:
    document = one_by_uuid(in_scope(RestockRequest, RestockRequest.requested_at), RestockRequest, request_uuid)
    return render("stock/restock.html", r=document, form=DeclineForm(formdata=None))


@bp.route("/restock/<request_uuid>/decline", methods=["POST"])
@allow(R.INVESTOR)
def restock_decline(request_uuid: str) -> ResponseReturnValue:
    document = one_by_uuid(in_scope(RestockRequest, RestockRequest.requested_at), RestockRequest, request_uuid)
    form = DeclineForm()
    try:
        with attempt():
            if not form.validate():
                raise PosError(_("Tell the outlet why the request is declined."))
            restock.decline(document, form.answer.data, current_user)
    except PosError as exc:
        return render("stock/restock.html", r=document, form=form, error=str(exc)), exc.status
    flash(_("Request %(number)s declined.", number=document.number), "success")
    return redirect(url_for("stock.restock_detail", request_uuid=request_uuid), 303)
