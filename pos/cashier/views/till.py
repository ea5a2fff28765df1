"""The cashier's screens: shift, register (scan, cart), payment, receipt, history, refunds."""

from __future__ import annotations

import uuid
from typing import Any

import segno
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pos.auth.views import policy
from pos.cashier import cart as cart_service
from pos.cashier import checkout, shifts
from pos.cashier.forms import (
    AddForm,
    CashMoveForm,
    ClearForm,
    CloseShiftForm,
    DiscountForm,
    OpenShiftForm,
    PayForm,
    QrisSettingsForm,
    QuantityForm,
    ReverseForm,
    ScanForm,
    denomination_fields,
)
from pos.cashier.views import bp
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.domain import qris
from pos.domain.cash import DENOMINATIONS, quick_amounts
from pos.domain.quantity import QuantityError, parse_quantity
from pos.domain.units import unit
from pos.extensions import db
from pos.models import CashMovementKind, Role, Sale, SaleKind, Shift
from pos.web.access import STAFF_ROLES, allow, one_by_uuid
from pos.web.htmx import render, wants_fragment

STAFF = tuple(STAFF_ROLES)


def _shift() -> Shift | None:
    if "pos_shift" not in g:
        g.pos_shift = shifts.open_shift_of(current_user)
    return g.pos_shift


def _require_shift() -> Shift:
    shift = _shift()
    if shift is None:
        raise PosError(_("There is no open shift. Open a shift first."), 409)
    return shift


def _cart_page(status: int = 200, **extra: Any) -> Any:
    shift = _require_shift()
    cart = _cart(shift)
    db.session.commit()
    if not wants_fragment() and request.method == "POST":
        return redirect(url_for("cashier.register"), 303)
    context = {
        "shift": shift,
        "cv": cart_service.view(cart),
        "unit": unit,
        **extra,
    }
    if not wants_fragment():
        context.setdefault("favourites", cart_service.favourites(shift.outlet_id))
    return render("cashier/register.html", "cart", **context), status


def _cart(shift: Shift) -> Any:
    if "pos_cart" not in g:
        g.pos_cart = cart_service.cart_of(shift)
    return g.pos_cart


@bp.route("")
@allow(*STAFF)
def register():  # type: ignore[no-untyped-def]
    if _shift() is None:
        return redirect(url_for("cashier.open_shift"))
    return _cart_page()


@bp.route("/shift/open", methods=["GET", "POST"])
@allow(*STAFF)
def open_shift():  # type: ignore[no-untyped-def]
    if _shift() is not None:
        return redirect(url_for("cashier.register"))
    form = OpenShiftForm()
    choices = shifts.registers(current_user.outlet_id) if current_user.outlet_id else []
    form.register.choices = [SelectChoice(r.id, f"{r.name} ({r.code})") for r in choices]
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            shifts.open_shift(current_user, form.register.data, form.opening_float.data)
        except PosError as exc:
            db.session.rollback()
            error, status = str(exc), exc.status
        else:
            db.session.commit()
            flash(_("Shift opened. Happy selling!"), "success")
            return redirect(url_for("cashier.register"), 303)
    elif request.method == "POST":
        status = 422
    return render("cashier/open_shift.html", form=form, error=error), status


@bp.route("/scan", methods=["POST"])
@allow(*STAFF)
def scan():  # type: ignore[no-untyped-def]
    shift = _require_shift()
    form = ScanForm()
    if not form.validate():
        raise PosError(_("Scan a barcode or type a product name."))
    code = form.code.data.strip()
    product = cart_service.find_by_code(shift.outlet_id, code)
    if product is None:
        if any(ch.isalpha() for ch in code):
            return search()
        raise PosError(_("Unknown barcode %(code)s.", code=code[:20]), 404)
    if unit(product.unit).by_measure:
        return quantity_dialog(product.id)
    cart_service.add(_cart(shift), product, 1)
    return _cart_page()


@bp.route("/search")
@allow(*STAFF)
def search():  # type: ignore[no-untyped-def]
    shift = _require_shift()
    text = (request.values.get("code") or request.values.get("q") or "").strip()
    products = cart_service.search(shift.outlet_id, text) if text else cart_service.favourites(shift.outlet_id)
    if not wants_fragment():
        return _cart_page(results=products, q=text)
    body = render("cashier/register.html", "results", products=products, q=text, unit=unit, searched=bool(text))
    return body, 200, {"HX-Retarget": "#results", "HX-Reswap": "outerHTML"}


@bp.route("/products/<int:product_id>/quantity")
@allow(*STAFF)
def quantity_dialog(product_id: int):  # type: ignore[no-untyped-def]
    shift = _require_shift()
    product = cart_service.sellable_product(shift.outlet_id, product_id)
    return _dialog("cashier/quantity.html", product=product, form=AddForm(formdata=None), u=unit(product.unit))


@bp.route("/products/<int:product_id>/add", methods=["POST"])
@allow(*STAFF)
def add(product_id: int):  # type: ignore[no-untyped-def]
    shift = _require_shift()
    product = cart_service.sellable_product(shift.outlet_id, product_id)
    form = AddForm()
    if not form.validate():
        raise PosError(_("The quantity is not valid."))
    u = unit(product.unit)
    quick = request.form.get("quick", "")[:10]
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
    cart_service.add(_cart(shift), product, quantity)
    return _cart_page(close_dialog=True)


@bp.route("/lines/<int:line_id>")
@allow(*STAFF)
def line_editor(line_id: int):  # type: ignore[no-untyped-def]
    shift = _require_shift()
    cart = cart_service.cart_of(shift)
    line = cart_service.line_of(cart, line_id)
    gross = dict((ln.id, g) for ln, g in cart_service.view(cart).lines)[line.id]
    limit = f"{shift.outlet.discount_limit_bp / 100:g}"
    return _dialog("cashier/line.html", line=line, gross=gross, unit=unit, limit=limit)


def _dialog(template: str, **context: Any) -> Any:
    """A dialog over the register for htmx; a page of its own for a plain browser."""
    if wants_fragment():
        headers = {"HX-Retarget": "#dialog", "HX-Reswap": "innerHTML"}
        return render(template, "dialog", **context), 200, headers
    return render(template, **context)


@bp.route("/lines/<int:line_id>/quantity", methods=["POST"])
@allow(*STAFF)
def line_quantity(line_id: int):  # type: ignore[no-untyped-def]
    shift = _require_shift()
    cart = _cart(shift)
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
    return _cart_page(close_dialog=True)


@bp.route("/lines/<int:line_id>/remove", methods=["POST"])
@allow(*STAFF)
def line_remove(line_id: int):  # type: ignore[no-untyped-def]
    cart = _cart(_require_shift())
    cart_service.remove(cart, cart_service.line_of(cart, line_id))
    return _cart_page(close_dialog=True)


@bp.route("/lines/<int:line_id>/discount", methods=["POST"])
@allow(*STAFF)
def line_discount(line_id: int):  # type: ignore[no-untyped-def]
    cart = _cart(_require_shift())
    line = cart_service.line_of(cart, line_id)
    form = DiscountForm()
    if not form.validate():
        raise PosError(_first_error(form))
    cart_service.set_line_discount(cart, line, form.discount.data, form.manager_pin.data or "", policy())
    return _cart_page(close_dialog=True)


@bp.route("/cart/discount", methods=["POST"])
@allow(*STAFF)
def sale_discount():  # type: ignore[no-untyped-def]
    cart = _cart(_require_shift())
    form = DiscountForm()
    if not form.validate():
        raise PosError(_first_error(form))
    cart_service.set_sale_discount(cart, form.discount.data, form.manager_pin.data or "", policy())
    return _cart_page()


@bp.route("/cart/clear", methods=["POST"])
@allow(*STAFF)
def clear():  # type: ignore[no-untyped-def]
    form = ClearForm()
    if not form.validate():
        raise PosError(_("Confirm that the cart should be emptied."))
    cart_service.clear(_cart(_require_shift()))
    return _cart_page()


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Check what you entered.")


def _qris_svg(outlet: Any, amount: int, reference: str) -> str | None:
    if not outlet.qris_static or amount <= 0:
        return None
    try:
        payload = qris.to_dynamic(outlet.qris_static, amount, reference)
    except qris.QrisError:
        return None
    return segno.make(payload, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


@bp.route("/pay", methods=["GET", "POST"])
@allow(*STAFF)
def pay():  # type: ignore[no-untyped-def]
    shift = _require_shift()
    cart = cart_service.cart_of(shift)
    form = PayForm()
    if request.method == "POST":
        if not form.validate():
            return _pay_page(shift, cart, form, _first_error(form), 422)
        try:
            key = uuid.UUID(form.key.data)
        except ValueError:
            abort(400)
        try:
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
            db.session.rollback()
            cart = cart_service.cart_of(shift)
            if not cart.lines:
                raise
            return _pay_page(shift, cart, form, str(exc), exc.status)
        db.session.commit()
        target = url_for("cashier.receipt", sale_uuid=sale_uuid, done=1)
        if wants_fragment():
            return "", 204, {"HX-Redirect": target}
        return redirect(target, 303)
    if not cart.lines:
        return redirect(url_for("cashier.register"))
    return _pay_page(shift, cart, form)


def _pay_page(shift: Shift, cart: Any, form: PayForm, error: str | None = None, status: int = 200) -> Any:
    cv = cart_service.view(cart)
    db.session.commit()
    reference = f"{shift.outlet.code}-{str(cart.uuid)[-8:]}"
    method = request.values.get("method", "cash")
    return (
        render(
            "cashier/pay.html",
            shift=shift,
            cv=cv,
            form=form,
            quick=quick_amounts(cv.total),
            method=method if method in ("cash", "qris", "split") else "cash",
            qris_svg=_qris_svg(shift.outlet, cv.total, reference),
            amount=cv.total,
            has_qris=bool(shift.outlet.qris_static),
            error=error,
        ),
        status,
    )


@bp.route("/qris")
@allow(*STAFF)
def qris_code():  # type: ignore[no-untyped-def]
    """The QRIS image for a split amount (an htmx fragment); a plain request gets the payment page."""
    if not wants_fragment():
        return redirect(url_for("cashier.pay", method="split"))
    shift = _require_shift()
    cart = cart_service.cart_of(shift)
    raw = request.args.get("qris", "0").replace(".", "").strip()
    amount = int(raw) if raw.isdigit() and len(raw) < 12 else 0
    total = cart_service.view(cart).total
    svg = _qris_svg(shift.outlet, min(amount, total), f"{shift.outlet.code}-{str(cart.uuid)[-8:]}")
    return render("cashier/pay.html", "qris_code", qris_svg=svg, amount=min(amount, total))


def _sale_in_scope(sale_uuid: str) -> Sale:
    return one_by_uuid(db.select(Sale).where(Sale.outlet_id == current_user.outlet_id), Sale, sale_uuid)


@bp.route("/receipt/<sale_uuid>")
@allow(*STAFF)
def receipt(sale_uuid: str):  # type: ignore[no-untyped-def]
    sale = _sale_in_scope(sale_uuid)
    width = request.args.get("width", "58")
    return render(
        "cashier/receipt.html",
        sale=sale,
        width="80" if width == "80" else "58",
        done=request.args.get("done") == "1",
        unit=unit,
    )


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
    return render("cashier/history.html", "rows", sales=sales, q=text, shift=_shift())


@bp.route("/sales/<sale_uuid>")
@allow(*STAFF)
def sale_detail(sale_uuid: str):  # type: ignore[no-untyped-def]
    return _sale_page(_sale_in_scope(sale_uuid))


def _sale_page(sale: Sale, error: str | None = None, status: int = 200) -> Any:
    shift = _shift()
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
    sale = _sale_in_scope(sale_uuid)
    form = ReverseForm()
    if not form.validate():
        return _sale_page(sale, _first_error(form), 422)
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
        refund = checkout.reverse(
            sale,
            quantities,
            kind=kind,
            reason=form.reason.data,
            manager_pin=form.manager_pin.data,
            user=current_user,
            shift=_shift(),
            key=key,
            policy=policy(),
        )
    except PosError as exc:
        db.session.rollback()
        return _sale_page(_sale_in_scope(sale_uuid), str(exc), exc.status)
    db.session.commit()
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


@bp.route("/shift/cash", methods=["GET", "POST"])
@allow(*STAFF)
def cash_move():  # type: ignore[no-untyped-def]
    shift = _require_shift()
    form = CashMoveForm()
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            shifts.move_cash(shift, CashMovementKind(form.kind.data), form.amount.data, form.reason.data, current_user)
        except PosError as exc:
            db.session.rollback()
            error, status = str(exc), exc.status
        else:
            db.session.commit()
            flash(_("Cash movement recorded."), "success")
            return redirect(url_for("cashier.cash_move"), 303)
    elif request.method == "POST":
        status = 422
    report = shifts.z_report(shift)
    return render("cashier/cash.html", form=form, shift=shift, report=report, error=error), status


@bp.route("/shift/close", methods=["GET", "POST"])
@allow(*STAFF)
def close_shift():  # type: ignore[no-untyped-def]
    shift = _require_shift()
    form = CloseShiftForm()
    status = 200
    counts: dict[int, int] = {}
    count_error = None
    if request.method == "POST":
        for denomination, name in denomination_fields():
            raw = request.form.get(name, "").strip()
            if not raw:
                continue
            if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
                count_error = _("Counts of notes and coins are whole numbers.")
                break
            counts[denomination] = int(raw)
        status = 422
        if form.validate() and count_error is None:
            try:
                shifts.close_shift(
                    shift, counts, current_user, form.manager_pin.data or "", form.note.data or "", policy()
                )
            except PosError as exc:
                db.session.rollback()
                count_error, status = str(exc), exc.status
            else:
                db.session.commit()
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
        ),
        status,
    )


@bp.route("/shifts/<shift_uuid>/z")
@allow(*STAFF)
def z_report(shift_uuid: str):  # type: ignore[no-untyped-def]
    try:
        key = uuid.UUID(shift_uuid)
    except ValueError:
        abort(404)
    shift = db.session.scalar(db.select(Shift).where(Shift.uuid == key))
    if shift is None or shift.outlet_id != current_user.outlet_id:
        abort(404)
    if current_user.role == Role.CASHIER and shift.cashier_id != current_user.id:
        abort(404)
    import json

    counts = json.loads(shift.cash_counts) if shift.cash_counts else {}
    return render(
        "cashier/z_report.html",
        report=shifts.z_report(shift),
        counts=[(d, int(counts.get(str(d), 0))) for d in DENOMINATIONS if counts.get(str(d))],
    )


@bp.route("/settings/qris", methods=["GET", "POST"])
@allow(Role.MANAGER)
def qris_settings():  # type: ignore[no-untyped-def]
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
                db.session.commit()
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
