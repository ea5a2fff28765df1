"""The register: scan or search, the cart and its lines, quantities and discounts."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from pos.auth.accounts import policy
from pos.cashier import cart as cart_service
from pos.cashier import checkout
from pos.cashier.forms import (
    AddForm,
    ClearForm,
    DiscountForm,
    QuantityForm,
    ScanForm,
)
from pos.cashier.views import bp
from pos.cashier.views.common import STAFF, current_shift, dialog, require_shift, till_cart
from pos.core.errors import PosError
from pos.domain.quantity import QuantityError, parse_quantity
from pos.domain.units import unit
from pos.members import register as members
from pos.web.access import allow
from pos.web.forms import first_error, url_args
from pos.web.htmx import render, wants_fragment


def cart_page(status: int = 200, **extra: Any) -> Any:
    shift = require_shift()
    cart = till_cart(shift)
    if not wants_fragment() and request.method == "POST":
        return redirect(url_for("cashier.register"), 303)
    cv = cart_service.view(cart)
    context = {
        "shift": shift,
        "cv": cv,
        "unit": unit,
        "last_sale": None if cv.lines else checkout.last_sale(shift),
        **extra,
    }
    if not wants_fragment():
        context.setdefault("favourites", cart_service.favourites(shift.outlet_id))
    return render("cashier/register.html", "cart", **context), status


@bp.route("")
@allow(*STAFF)
def register() -> ResponseReturnValue:
    if current_shift() is None:
        return redirect(url_for("cashier.open_shift"))
    return cart_page()


@bp.route("/scan", methods=["POST"])
@allow(*STAFF)
def scan() -> ResponseReturnValue:
    shift = require_shift()
    form = ScanForm()
    if not form.validate():
        raise PosError(_("Scan a barcode or type a product name."))
    code, scan_id = form.code.data.strip(), form.scan_id.data or None
    if members.is_card(code):
        cart = till_cart(shift)
        if not cart_service.scanned(cart, scan_id):
            cart_service.set_member(cart, members.by_card(shift.outlet.cooperative, code))
            cart_service.note_scan(cart, scan_id)
        return cart_page()
    product = cart_service.find_by_code(shift.outlet_id, code)
    if product is None:
        if any(ch.isalpha() for ch in code):
            return search()
        raise PosError(_("Unknown barcode %(code)s.", code=code[:20]), 404)
    if unit(product.unit).by_measure:
        return quantity_dialog(product.id)
    cart = till_cart(shift)
    if cart_service.scanned(cart, scan_id):
        return cart_page()
    shown, before = form.revision.data, {ln.id for ln in cart.lines}
    in_step = shown == str(cart.revision)
    line = cart_service.add(cart, product, 1, scan_id)
    if in_step and before and wants_fragment():
        return _line_changed(cart, line, new=line.id not in before)
    return cart_page(changed=line.id)


def _line_changed(cart: Any, line: Any, new: bool) -> Any:
    """Only what a scan changed, for a till that shows the cart as it was: the line (in place, or added at the
    end) and the cart's head and foot out of band."""
    cv = cart_service.view(cart)
    gross = next(g for ln, g in cv.lines if ln is line)
    body = render("cashier/register.html", "cart_change", cv=cv, change=(line, gross), changed=line.id, unit=unit)
    # settled at once: htmx would otherwise show the line's old attributes (not lit) for its settle delay
    if new:
        return body, 200, {"HX-Retarget": "#cart-lines", "HX-Reswap": "beforeend settle:0ms"}
    return body, 200, {"HX-Retarget": f"#line-{line.id}", "HX-Reswap": "outerHTML settle:0ms"}


@bp.route("/search")
@allow(*STAFF)
def search() -> ResponseReturnValue:
    shift = require_shift()
    text = (url_args().text("code") or url_args().text("q") or "").strip()
    products = cart_service.search(shift.outlet_id, text) if text else cart_service.favourites(shift.outlet_id)
    if not wants_fragment():
        return cart_page(results=products, q=text)
    body = render("cashier/register.html", "results", products=products, q=text, unit=unit, searched=bool(text))
    return body, 200, {"HX-Retarget": "#results", "HX-Reswap": "outerHTML"}


@bp.route("/products/<int:product_id>/quantity")
@allow(*STAFF)
def quantity_dialog(product_id: int) -> ResponseReturnValue:
    shift = require_shift()
    product = cart_service.sellable_product(shift.outlet_id, product_id)
    return dialog("cashier/quantity.html", product=product, form=AddForm(formdata=None), u=unit(product.unit))


@bp.route("/products/<int:product_id>/add", methods=["POST"])
@allow(*STAFF)
def add(product_id: int) -> ResponseReturnValue:
    shift = require_shift()
    product = cart_service.sellable_product(shift.outlet_id, product_id)
    form = AddForm()
    if not form.validate():
        raise PosError(_("The quantity is not valid."))
    u = unit(product.unit)
    quick = url_args().text("quick")
    text = quick or form.quantity.data or ("" if u.by_measure else "1")
    try:
        quantity = parse_quantity(text, u)
    except QuantityError as exc:
        message = (
            _("Enter the weight or volume, e.g. 1,25 (in %(unit)s).", unit=u.code)
            if u.by_measure
            else _("This product is sold in whole units: enter a whole number.")
        )
        raise PosError(message) from exc
    line = cart_service.add(till_cart(shift), product, quantity)
    return cart_page(close_dialog=True, changed=line.id)


@bp.route("/lines/<int:line_id>")
@allow(*STAFF)
def line_editor(line_id: int) -> ResponseReturnValue:
    shift = require_shift()
    cart = till_cart(shift)
    line = cart_service.line_of(cart, line_id)
    gross = dict((ln.id, g) for ln, g in cart_service.view(cart).lines)[line.id]
    limit = f"{shift.outlet.discount_limit_bp / 100:g}"
    return dialog("cashier/line.html", line=line, gross=gross, unit=unit, limit=limit)


@bp.route("/lines/<int:line_id>/quantity", methods=["POST"])
@allow(*STAFF)
def line_quantity(line_id: int) -> ResponseReturnValue:
    shift = require_shift()
    cart = till_cart(shift)
    line = cart_service.line_of(cart, line_id)
    form = QuantityForm()
    if not form.validate():
        raise PosError(_("The quantity is not valid."))
    u = unit(line.product.unit)
    if form.delta.data:
        step = u.step_per_unit // 10 if u.by_measure else 1
        quantity = line.quantity + form.delta.data * step
    else:
        try:
            quantity = parse_quantity(form.quantity.data or "", u) if form.quantity.data != "0" else 0
        except QuantityError as exc:
            raise PosError(_("The quantity is not valid for this product.")) from exc
    cart_service.set_quantity(cart, line, quantity)
    return cart_page(close_dialog=True, changed=line.id if quantity > 0 else None)


@bp.route("/lines/<int:line_id>/remove", methods=["POST"])
@allow(*STAFF)
def line_remove(line_id: int) -> ResponseReturnValue:
    cart = till_cart(require_shift())
    cart_service.remove(cart, cart_service.line_of(cart, line_id))
    return cart_page(close_dialog=True)


@bp.route("/lines/<int:line_id>/discount", methods=["POST"])
@allow(*STAFF)
def line_discount(line_id: int) -> ResponseReturnValue:
    cart = till_cart(require_shift())
    line = cart_service.line_of(cart, line_id)
    form = DiscountForm()
    if not form.validate():
        raise PosError(first_error(form))
    cart_service.set_line_discount(cart, line, form.discount.data, form.manager_pin.data or "", policy())
    return cart_page(close_dialog=True)


@bp.route("/cart/discount", methods=["POST"])
@allow(*STAFF)
def sale_discount() -> ResponseReturnValue:
    cart = till_cart(require_shift())
    form = DiscountForm()
    if not form.validate():
        raise PosError(first_error(form))
    cart_service.set_sale_discount(cart, form.discount.data, form.manager_pin.data or "", policy())
    return cart_page()


@bp.route("/cart/clear", methods=["POST"])
@allow(*STAFF)
def clear() -> ResponseReturnValue:
    form = ClearForm()
    if not form.validate():
        raise PosError(_("Confirm that the cart should be emptied."))
    cart_service.clear(till_cart(require_shift()))
    return cart_page()
