"""The shift's sales: history, a sale's detail, refunds and voids."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pos.auth.accounts import policy
from pos.cashier import checkout
from pos.cashier.forms import (
    ReverseForm,
    reverse_form_for,
)
from pos.cashier.views import bp
from pos.cashier.views.common import STAFF, current_shift, sale_in_scope
from pos.core.errors import PosError
from pos.domain.ids import new_id
from pos.domain.quantity import QuantityError, parse_quantity
from pos.domain.units import unit
from pos.models import Sale, SaleKind
from pos.web.access import allow
from pos.web.forms import first_error, url_args
from pos.web.htmx import render
from pos.web.transaction import attempt


@bp.route("/sales")
@allow(*STAFF)
def history() -> ResponseReturnValue:
    text = (url_args().text("q") or "").strip()[:40]
    sales = checkout.sales_of(current_user.outlet, text)
    return render("cashier/history.html", "rows", sales=sales, q=text, shift=current_shift())


@bp.route("/sales/<sale_uuid>")
@allow(*STAFF)
def sale_detail(sale_uuid: str) -> ResponseReturnValue:
    return _sale_page(sale_in_scope(sale_uuid))


def _sale_page(sale: Sale, error: str | None = None, status: int = 200, typed: ReverseForm | None = None) -> Any:
    shift = current_shift()
    left = checkout.refundable(sale) if sale.kind == SaleKind.SALE else {}
    last_id = checkout.last_sale_id(shift.outlet_id, shift.id) if shift is not None else None
    return render(
        "cashier/sale.html",
        sale=sale,
        left=left,
        shift=shift,
        can_void=shift is not None and sale.id == last_id and sale.kind == SaleKind.SALE,
        form=typed or ReverseForm(formdata=None, key=str(new_id())),
        typed_quantities={ln.id: typed[f"qty-{ln.id}"].data or "" for ln in sale.lines} if typed else {},
        refunds=checkout.reversals_of(sale),
        unit=unit,
        error=error,
    ), status


def _reverse(sale_uuid: str, kind: SaleKind) -> Any:
    sale = sale_in_scope(sale_uuid)
    form = reverse_form_for([line.id for line in sale.lines])()
    if not form.validate():
        return _sale_page(sale, first_error(form), 422)
    try:
        key = uuid.UUID(form.key.data)
    except ValueError:
        abort(400)
    quantities: dict[int, int] = {}
    for line in sale.lines:
        raw = form[f"qty-{line.id}"].data or ""
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
        form.manager_pin.data = ""  # everything typed stays but the PIN
        return _sale_page(sale_in_scope(sale_uuid), str(exc), exc.status, typed=form)
    flash(_("Refund recorded.") if kind == SaleKind.REFUND else _("Sale voided."), "success")
    return redirect(url_for("cashier.receipt", sale_uuid=refund.uuid), 303)


@bp.route("/sales/<sale_uuid>/refund", methods=["POST"])
@allow(*STAFF)
def refund(sale_uuid: str) -> ResponseReturnValue:
    return _reverse(sale_uuid, SaleKind.REFUND)


@bp.route("/sales/<sale_uuid>/void", methods=["POST"])
@allow(*STAFF)
def void(sale_uuid: str) -> ResponseReturnValue:
    return _reverse(sale_uuid, SaleKind.VOID)
