"""The shift's sales: history, a sale's detail, refunds and voids."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pos.auth.accounts import policy
from pos.cashier import checkout
from pos.cashier.forms import (
    ReverseForm,
)
from pos.cashier.views import bp
from pos.cashier.views.common import STAFF, current_shift, first_error, sale_in_scope
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.domain.quantity import QuantityError, parse_quantity
from pos.domain.units import unit
from pos.extensions import db
from pos.models import Sale, SaleKind
from pos.web.access import allow
from pos.web.htmx import render
from pos.web.transaction import attempt


@bp.route("/sales")
@allow(*STAFF)
def history():  # type: ignore[no-untyped-def]
    outlet_id = current_user.outlet_id
    text = request.args.get("q", "").strip()[:40]
    query = db.select(Sale).where(Sale.outlet_id == outlet_id)
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Sale.receipt_no.ilike(f"%{escaped}%", escape="\\"))
    else:
        day = business_date(current_user.outlet.timezone)
        query = query.where(Sale.business_date == day)
    sales = db.session.scalars(query.order_by(Sale.id.desc()).limit(200)).all()
    return render("cashier/history.html", "rows", sales=sales, q=text, shift=current_shift())


@bp.route("/sales/<sale_uuid>")
@allow(*STAFF)
def sale_detail(sale_uuid: str):  # type: ignore[no-untyped-def]
    return _sale_page(sale_in_scope(sale_uuid))


def _sale_page(sale: Sale, error: str | None = None, status: int = 200) -> Any:
    shift = current_shift()
    left = checkout.refundable(sale) if sale.kind == SaleKind.SALE else {}
    last_id = None
    if shift is not None:
        last_id = db.session.scalar(
            db.select(Sale.id).where(Sale.shift_id == shift.id).order_by(Sale.id.desc()).limit(1)
        )
    return render(
        "cashier/sale.html",
        sale=sale,
        left=left,
        shift=shift,
        can_void=shift is not None and sale.id == last_id and sale.kind == SaleKind.SALE,
        form=ReverseForm(formdata=None, key=str(uuid.uuid4())),
        refunds=db.session.scalars(db.select(Sale).where(Sale.original_id == sale.id)).all(),
        unit=unit,
        error=error,
    ), status


def _reverse(sale_uuid: str, kind: SaleKind) -> Any:
    sale = sale_in_scope(sale_uuid)
    form = ReverseForm()
    if not form.validate():
        return _sale_page(sale, first_error(form), 422)
    try:
        key = uuid.UUID(form.key.data)
    except ValueError:
        abort(400)
    quantities: dict[int, int] = {}
    for line in sale.lines:
        raw = request.form.get(f"qty-{line.id}", "").strip()
        if not raw:
            continue
        try:
            quantities[line.id] = parse_quantity(raw, unit(line.unit)) if raw != "0" else 0
        except QuantityError as exc:
            raise PosError(_("The quantity to refund is not valid.")) from exc
    try:
        with attempt():
            refund = checkout.reverse(
                sale,
                quantities,
                kind=kind,
                reason=form.reason.data,
                manager_pin=form.manager_pin.data,
                user=current_user,
                shift=current_shift(),
                key=key,
                policy=policy(),
            )
    except PosError as exc:
        return _sale_page(sale_in_scope(sale_uuid), str(exc), exc.status)
    flash(_("Refund recorded.") if kind == SaleKind.REFUND else _("Sale voided."), "success")
    return redirect(url_for("cashier.receipt", sale_uuid=refund.uuid), 303)


@bp.route("/sales/<sale_uuid>/refund", methods=["POST"])
@allow(*STAFF)
def refund(sale_uuid: str):  # type: ignore[no-untyped-def]
    return _reverse(sale_uuid, SaleKind.REFUND)


@bp.route("/sales/<sale_uuid>/void", methods=["POST"])
@allow(*STAFF)
def void(sale_uuid: str):  # type: ignore[no-untyped-def]
    return _reverse(sale_uuid, SaleKind.VOID)
