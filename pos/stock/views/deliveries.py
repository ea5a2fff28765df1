"""Deliveries: the investor sends, the outlet manager receives once; the handover record (BAST)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.core.zones import user_zone
from pos.extensions import db
from pos.models import Delivery, DeliveryStatus, Investor, Product, RestockRequest, Role
from pos.stock import deliveries
from pos.stock.forms import DeliveryForm, ReceiveForm
from pos.stock.views import bp
from pos.stock.views.common import in_scope, product_by_code, quantity, visible_outlets
from pos.web.access import allow, one_by_uuid
from pos.web.forms import ConfirmForm, confirmed, url_args
from pos.web.htmx import render
from pos.web.transaction import attempt

R = Role
READERS = (R.MANAGER, R.INVESTOR, R.BOARD, R.CENTRAL, R.ADMIN)


def visible_deliveries() -> Any:
    return in_scope(Delivery, Delivery.created_at)


@bp.route("/deliveries")
@allow(*READERS)
def delivery_list() -> ResponseReturnValue:
    status = url_args().text("status") or ""
    query = visible_deliveries()
    if status in set(DeliveryStatus):
        query = query.where(Delivery.status == status)
    return render("stock/deliveries.html", deliveries=db.session.scalars(query.limit(300)).all(), status=status)


def _my_investor() -> Investor:
    investor = current_user.investor
    if investor is None:
        abort(403)
    return investor


def _delivery_page(form: DeliveryForm, error: Any = None, status: int = 200, request_doc: Any = None) -> Any:
    investor = _my_investor()
    products = db.session.scalars(
        db.select(Product).where(Product.investor_id == investor.id, Product.active.is_(True)).order_by(Product.name)
    ).all()
    return (
        render("stock/delivery_form.html", form=form, error=error, products=products, request_doc=request_doc),
        status,
    )


def _outlet_choices(form: DeliveryForm) -> None:
    form.outlet.choices = [SelectChoice(o.id, f"{o.name} ({o.code})") for o in visible_outlets()]


@bp.route("/deliveries/new", methods=["GET", "POST"])
@allow(R.INVESTOR)
def delivery_new() -> ResponseReturnValue:
    investor = _my_investor()
    request_doc = None
    request_uuid = url_args().text("request") or ""
    if request_uuid:
        request_doc = one_by_uuid(
            db.select(RestockRequest).where(RestockRequest.investor_id == investor.id), RestockRequest, request_uuid
        )
    form = DeliveryForm()
    _outlet_choices(form)
    if request.method == "GET":
        form = DeliveryForm(formdata=None, expected_on=business_date(user_zone()))
        _outlet_choices(form)
        if request_doc is not None:
            form.outlet.data = request_doc.outlet_id
            known = [ln for ln in request_doc.lines if ln.product is not None]
            while len(form.lines) < len(known):
                form.lines.append_entry()
            for entry, line in zip(form.lines, known, strict=False):
                entry.form.code.data = line.product.sku
                entry.form.quantity.data = str(line.quantity)
        return _delivery_page(form, request_doc=request_doc)
    if url_args().flag("more"):
        for _n in range(5):
            form.lines.append_entry()
        return _delivery_page(form, request_doc=request_doc)
    if not form.validate():
        return _delivery_page(form, _("Check the delivery: outlet, date and lines."), 422, request_doc)
    outlet = next((o for o in visible_outlets() if o.id == form.outlet.data), None)
    if outlet is None:
        abort(404)
    try:
        with attempt():
            lines = []
            for entry in form.lines:
                code = (entry.form.code.data or "").strip()
                if not code and not (entry.form.quantity.data or "").strip():
                    continue
                product = product_by_code(code, {investor.id}) if code else None
                if product is None:
                    raise PosError(_("Every line needs a product code."))
                lines.append(
                    deliveries.PlannedLine(
                        product.id,
                        quantity(entry.form.quantity.data or "", product),
                        (entry.form.batch.data or "").strip(),
                        entry.form.expiry_date.data,
                    )
                )
            delivery = deliveries.create(
                investor,
                outlet,
                form.expected_on.data,
                lines,
                current_user,
                note=form.note.data or "",
                driver=form.driver.data or "",
                request=request_doc,
            )
    except PosError as exc:
        return _delivery_page(form, str(exc), exc.status, request_doc)
    flash(_("Delivery %(number)s sent to %(outlet)s.", number=delivery.number, outlet=outlet.name), "success")
    return redirect(url_for("stock.delivery_detail", delivery_uuid=delivery.uuid), 303)


def delivery_in_scope(delivery_uuid: str) -> Delivery:
    return one_by_uuid(visible_deliveries(), Delivery, delivery_uuid)


@bp.route("/deliveries/<delivery_uuid>")
@allow(*READERS)
def delivery_detail(delivery_uuid: str) -> ResponseReturnValue:
    delivery = delivery_in_scope(delivery_uuid)
    return render("stock/delivery.html", d=delivery, form=ConfirmForm(formdata=None))


@bp.route("/deliveries/<delivery_uuid>/cancel", methods=["POST"])
@allow(R.INVESTOR)
def delivery_cancel(delivery_uuid: str) -> ResponseReturnValue:
    delivery = delivery_in_scope(delivery_uuid)
    return confirmed(
        lambda: deliveries.cancel(delivery, current_user),
        url_for("stock.delivery_detail", delivery_uuid=delivery_uuid),
        lambda: _("Delivery %(number)s cancelled.", number=delivery.number),
    )


def _receive_page(delivery: Delivery, form: ReceiveForm, error: Any = None, status: int = 200) -> Any:
    return render("stock/receive.html", d=delivery, form=form, error=error), status


@bp.route("/deliveries/<delivery_uuid>/receive", methods=["GET", "POST"])
@allow(R.MANAGER)
def delivery_receive(delivery_uuid: str) -> ResponseReturnValue:
    delivery = delivery_in_scope(delivery_uuid)
    if request.method == "GET":
        if delivery.status != DeliveryStatus.SENT:
            return redirect(url_for("stock.delivery_detail", delivery_uuid=delivery_uuid), 303)
        form = ReceiveForm(formdata=None)
        for line in delivery.lines:
            form.lines.append_entry({"line_id": line.id, "good": "", "damaged": "0", "note": ""})
        return _receive_page(delivery, form)
    form = ReceiveForm()
    if not form.validate():
        return _receive_page(delivery, form, _("Enter what arrived for every line."), 422)
    lines = {line.id: line for line in delivery.lines}
    try:
        with attempt():
            results = []
            for entry in form.lines:
                line = lines.get(entry.form.line_id.data or 0)
                if line is None:
                    raise PosError(_("Enter what arrived for every line."))
                good_text = (entry.form.good.data or "").strip()
                damaged_text = (entry.form.damaged.data or "").strip()
                if not good_text:
                    raise PosError(
                        _("%(name)s: enter how many arrived in good condition (0 if none).", name=line.product.name)
                    )
                results.append(
                    deliveries.Received(
                        line.id,
                        quantity(good_text, line.product, allow_zero=True),
                        quantity(damaged_text, line.product, allow_zero=True) if damaged_text else 0,
                        entry.form.note.data or "",
                    )
                )
            deliveries.receive(delivery, results, current_user, form.note.data or "")
    except PosError as exc:
        return _receive_page(delivery_in_scope(delivery_uuid), form, str(exc), exc.status)
    flash(_("Delivery %(number)s received; stock updated.", number=delivery.number), "success")
    return redirect(url_for("stock.delivery_detail", delivery_uuid=delivery_uuid), 303)


@bp.route("/deliveries/<delivery_uuid>/bast")
@allow(*READERS)
def delivery_bast(delivery_uuid: str) -> ResponseReturnValue:
    delivery = delivery_in_scope(delivery_uuid)
    if delivery.status != DeliveryStatus.RECEIVED:
        abort(404)
    return render_template("stock/bast.html", d=delivery)
