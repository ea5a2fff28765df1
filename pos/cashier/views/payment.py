"""Paying: cash, QRIS and transfer, and the receipt."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

import segno
from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from pos.cashier import cart as cart_service
from pos.cashier import checkout
from pos.cashier.forms import (
    PayForm,
)
from pos.cashier.views import bp
from pos.cashier.views.common import STAFF, require_shift, till_cart
from pos.core.errors import PosError
from pos.domain import qris
from pos.domain.cash import cash_due, quick_amounts
from pos.models import Shift
from pos.web.access import allow
from pos.web.forms import first_error, url_args
from pos.web.htmx import render, wants_fragment
from pos.web.transaction import attempt


def _qris_svg(outlet: Any, amount: int, reference: str) -> str | None:
    if not outlet.qris_static or amount <= 0:
        return None
    try:
        payload = qris.to_dynamic(outlet.qris_static, amount, reference)
    except qris.QrisError:
        return None
    return _drawn(payload)


@lru_cache(maxsize=32)
def _drawn(payload: str) -> str:
    """The QR image of a payload (drawing it is most of the payment page's time): the same cart, amount and
    outlet code give the same payload, so a page shown again or a split amount typed again is not drawn twice."""
    return str(segno.make(payload, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff"))


@bp.route("/pay", methods=["GET", "POST"])
@allow(*STAFF)
def pay() -> ResponseReturnValue:
    shift = require_shift()
    cart = till_cart(shift)
    form = PayForm()
    if request.method == "POST":
        if not form.validate():
            return _pay_page(shift, cart, form, first_error(form), 422)
        try:
            key = uuid.UUID(form.key.data)
        except ValueError:
            abort(400)
        try:
            with attempt():
                sale_uuid = checkout.complete(
                    cart,
                    form.revision.data,
                    key,
                    checkout.PaymentInput(
                        cash=form.cash.data or 0,
                        qris=form.qris.data or 0,
                        transfer=form.transfer.data or 0,
                        transfer_reference=form.transfer_reference.data or "",
                        qris_confirmed=bool(form.qris_confirmed.data),
                    ),
                    current_user,
                )
        except PosError as exc:
            cart = cart_service.cart_of(shift)
            if not cart.lines:
                raise
            return _pay_page(shift, cart, form, str(exc), exc.status)
        target = url_for("cashier.receipt", sale_uuid=sale_uuid, done=1)
        if wants_fragment():
            return "", 204, {"HX-Redirect": target}
        return redirect(target, 303)
    if not cart.lines:
        return redirect(url_for("cashier.register"))
    return _pay_page(shift, cart, form)


def _pay_page(shift: Shift, cart: Any, form: PayForm, error: str | None = None, status: int = 200) -> Any:
    cv = cart_service.view(cart)
    reference = checkout.qris_reference(shift.outlet, cart.uuid)
    method = url_args().text("method") or "cash"
    method = method if method in ("cash", "qris", "split") else "cash"
    cash_total = cash_due(cv.total, step=shift.outlet.cash_rounding)
    return (
        render(
            "cashier/pay.html",
            shift=shift,
            cv=cv,
            form=form,
            quick=quick_amounts(cash_total),
            cash_total=cash_total,
            method=method,
            # drawn only for the QRIS tab (a split draws its amount's code when it is typed)
            qris_svg=_qris_svg(shift.outlet, cv.total, reference) if method == "qris" else None,
            amount=cv.total,
            has_qris=bool(shift.outlet.qris_static),
            error=error,
        ),
        status,
    )


@bp.route("/qris")
@allow(*STAFF)
def qris_code() -> ResponseReturnValue:
    """The QRIS image for a split amount (an htmx fragment); a plain request gets the payment page."""
    if not wants_fragment():
        return redirect(url_for("cashier.pay", method="split"))
    shift = require_shift()
    cart = till_cart(shift)
    raw = (url_args().text("qris") or "0").replace(".", "").strip()
    amount = int(raw) if raw.isdigit() and len(raw) < 12 else 0
    total = cart_service.view(cart).total
    svg = _qris_svg(shift.outlet, min(amount, total), checkout.qris_reference(shift.outlet, cart.uuid))
    return render("cashier/pay.html", "qris_code", qris_svg=svg, amount=min(amount, total))
