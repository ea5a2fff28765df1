"""The investor's portal: own products, scheduled prices, photos, and sales by outlet and product."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from pos.core import sheets
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.core.zones import user_zone
from pos.domain.units import UNITS
from pos.extensions import db
from pos.models import PriceChange, Product, ProductPhoto, Role
from pos.partnership import supply
from pos.stock import catalog, catalogue_import, inventory, products
from pos.stock.forms import ImportConfirmForm, ImportForm, PhotoForm, PriceForm, ProductForm, RangeForm
from pos.stock.views import bp
from pos.stock.views.common import visible_outlets
from pos.web import labels
from pos.web.access import allow, one_by_uuid, scope_for
from pos.web.exports import export, quantity_cell
from pos.web.forms import ConfirmForm, url_args
from pos.web.htmx import render
from pos.web.transaction import attempt

R = Role
MAX_RANGE_DAYS = 366


def visible_products() -> ResponseReturnValue:
    scope = scope_for(current_user)
    query = db.select(Product)
    if scope.investor_ids is not None:
        query = query.where(Product.investor_id.in_(scope.investor_ids))
    if scope.outlet_ids is not None:
        investors = set()
        for outlet_id in scope.outlet_ids:
            investors |= supply.investor_ids_of(outlet_id)
        query = query.where(Product.investor_id.in_(investors))
    return query


def _product_form(formdata: Any = None, **data: Any) -> ProductForm:
    form = ProductForm(formdata=formdata, **data) if formdata is not None else ProductForm(formdata=None, **data)
    form.unit.choices = [SelectChoice(code, labels.unit_name(code)) for code in UNITS]
    form.category.choices = [SelectChoice(c.id, c.name) for c in catalog.categories()]
    return form


def _data(form: ProductForm) -> products.ProductData:
    return products.ProductData(
        name=form.name.data.strip(),
        sku=form.sku.data.strip(),
        barcode=(form.barcode.data or "").strip() or None,
        unit=form.unit.data,
        category_id=form.category.data,
        cost=form.cost.data,
        tracks_expiry=bool(form.tracks_expiry.data),
        favourite=bool(form.favourite.data),
        active=bool(form.active.data),
    )


@bp.route("/products/new", methods=["GET", "POST"])
@allow(R.INVESTOR)
def product_new() -> ResponseReturnValue:
    investor = current_user.investor
    if investor is None:
        abort(403)
    if request.method == "GET":
        return render("stock/product_form.html", form=_product_form(active=True), product=None, error=None)
    form = _product_form(request.form)
    if not form.validate() or form.price.data is None:
        if form.price.data is None and not form.price.errors:
            form.price.errors = [_("This amount is required.")]
        return render("stock/product_form.html", form=form, product=None, error=_("Check the product.")), 422
    try:
        with attempt():
            product = products.create(investor, _data(form), form.price.data, current_user)
    except PosError as exc:
        return render("stock/product_form.html", form=form, product=None, error=str(exc)), exc.status
    flash(_("%(name)s added to your catalogue.", name=product.name), "success")
    return redirect(url_for("stock.product_detail", product_uuid=product.uuid), 303)


def product_in_scope(product_uuid: str) -> Product:
    return one_by_uuid(visible_products(), Product, product_uuid)


def _mine(product: Product) -> None:
    if current_user.role != R.INVESTOR or product.investor_id != current_user.investor_id:
        abort(404)


@bp.route("/products/<product_uuid>/edit", methods=["GET", "POST"])
@allow(R.INVESTOR)
def product_edit(product_uuid: str) -> ResponseReturnValue:
    product = product_in_scope(product_uuid)
    _mine(product)
    if request.method == "GET":
        form = _product_form(obj=product, category=product.category_id)
        return render("stock/product_form.html", form=form, product=product, error=None)
    form = _product_form(request.form)
    if not form.validate():
        return render("stock/product_form.html", form=form, product=product, error=_("Check the product.")), 422
    try:
        with attempt():
            products.update_product(product, _data(form), current_user)
    except PosError as exc:
        return render("stock/product_form.html", form=form, product=product, error=str(exc)), exc.status
    flash(_("%(name)s saved.", name=product.name), "success")
    return redirect(url_for("stock.product_detail", product_uuid=product.uuid), 303)


def _detail(product: Product, error: Any = None, status: int = 200, price_form: PriceForm | None = None) -> Any:
    outlets = [o for o in visible_outlets() if product.investor_id in supply.investor_ids_of(o.id)]
    held = {o.id: inventory.outlet_stock(o.id, {product.investor_id}, product.sku).rows for o in outlets}
    return (
        render(
            "stock/product.html",
            p=product,
            error=error,
            price_form=price_form or PriceForm(formdata=None),
            photo_form=PhotoForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
            changes=products.pending_changes(product),
            outlets=outlets,
            held={oid: next((r for r in rows if r.product.id == product.id), None) for oid, rows in held.items()},
            has_photo=db.session.get(ProductPhoto, product.id) is not None,
            mine=current_user.role == R.INVESTOR and product.investor_id == current_user.investor_id,
        ),
        status,
    )


@bp.route("/products/<product_uuid>")
@allow(R.MANAGER, R.INVESTOR, R.CENTRAL, R.ADMIN)
def product_detail(product_uuid: str) -> ResponseReturnValue:
    return _detail(product_in_scope(product_uuid))


@bp.route("/products/<product_uuid>/prices", methods=["POST"])
@allow(R.INVESTOR)
def product_price(product_uuid: str) -> ResponseReturnValue:
    product = product_in_scope(product_uuid)
    _mine(product)
    form = PriceForm()
    if not form.validate():
        return _detail(product, _("Enter the new price and when it takes effect."), 422, form)
    local = form.effective_at.data.replace(tzinfo=ZoneInfo(user_zone()))
    try:
        with attempt():
            products.schedule_price(product, form.price.data, local.astimezone(UTC), current_user)
    except PosError as exc:
        return _detail(product_in_scope(product_uuid), str(exc), exc.status, form)
    flash(_("Price change scheduled."), "success")
    return redirect(url_for("stock.product_detail", product_uuid=product_uuid), 303)


@bp.route("/products/<product_uuid>/prices/<int:change_id>/cancel", methods=["POST"])
@allow(R.INVESTOR)
def product_price_cancel(product_uuid: str, change_id: int) -> ResponseReturnValue:
    product = product_in_scope(product_uuid)
    _mine(product)
    change = db.session.get(PriceChange, change_id)
    if change is None or change.product_id != product.id or not ConfirmForm().validate():
        abort(404)
    try:
        with attempt():
            products.cancel_price(change, current_user)
    except PosError as exc:
        return _detail(product_in_scope(product_uuid), str(exc), exc.status)
    flash(_("Price change cancelled."), "success")
    return redirect(url_for("stock.product_detail", product_uuid=product_uuid), 303)


@bp.route("/products/<product_uuid>/photo", methods=["GET", "POST"])
@allow(R.MANAGER, R.INVESTOR, R.CENTRAL, R.ADMIN)
def product_photo(product_uuid: str) -> ResponseReturnValue:
    product = product_in_scope(product_uuid)
    if request.method == "GET":
        photo = db.session.get(ProductPhoto, product.id)
        if photo is None:
            abort(404)
        return Response(photo.data, mimetype=photo.content_type, headers={"Cache-Control": "private, max-age=300"})
    _mine(product)
    form = PhotoForm()
    if not form.validate():
        return _detail(product, _("Choose a photo to upload."), 422)
    try:
        with attempt():
            products.set_photo(product, form.photo.data.read(products.MAX_PHOTO_BYTES + 1))
    except PosError as exc:
        return _detail(product, str(exc), exc.status)
    flash(_("Photo saved."), "success")
    return redirect(url_for("stock.product_detail", product_uuid=product_uuid), 303)


def _range(form: RangeForm) -> tuple[date, date]:
    today = business_date(user_zone())
    first = form.start.data or today.replace(day=1)
    last = form.end.data or today
    if first > last:
        raise PosError(_("Check the dates: the start must be on or before the end."))
    if (last - first).days > MAX_RANGE_DAYS:
        raise PosError(_("Choose at most a year at a time."))
    return first, last


@bp.route("/sales-by-product")
@allow(R.INVESTOR)
def investor_sales() -> ResponseReturnValue:
    form = RangeForm(request.args)
    if not form.validate():
        raise PosError(_("Check the dates: the start must be on or before the end."))
    first, last = _range(form)
    outlets = visible_outlets()
    outlet = None
    if form.outlet.data:
        outlet = next((o for o in outlets if o.code == form.outlet.data), None)
        if outlet is None:
            abort(404)
    rows = inventory.investor_sales(current_user.investor_id, first, last, outlet.id if outlet else None)
    if url_args().text("format"):
        header = [
            _("Outlet"),
            _("Product"),
            _("Quantity"),
            _("Unit"),
            _("Net sales"),
            _("Cooperative fee"),
            _("Investor share"),
        ]
        table = [
            [r.outlet, r.product, quantity_cell(r.quantity, r.unit), labels.unit_name(r.unit), r.net, r.fee, r.share]
            for r in rows
        ]
        return export(f"penjualan-{first}-{last}", header, table, money_columns=(4, 5, 6))
    totals = {"net": sum(r.net for r in rows), "fee": sum(r.fee for r in rows), "share": sum(r.share for r in rows)}
    return render(
        "stock/investor_sales.html", rows=rows, first=first, last=last, outlets=outlets, outlet=outlet, totals=totals
    )


def _imports_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _import_page(
    form: ImportForm | None = None,
    checked: catalogue_import.Checked | None = None,
    token: str | None = None,
    error: object = None,
    status: int = 200,
) -> Any:
    return (
        render(
            "stock/import.html",
            form=form or ImportForm(formdata=None),
            confirm=ImportConfirmForm(formdata=None),
            checked=checked,
            token=token,
            error=error,
            labels=catalogue_import.COLUMN_LABELS,
            max_rows=format_decimal(sheets.MAX_ROWS),
        ),
        status,
    )


@bp.route("/products/import", methods=["GET", "POST"])
@allow(R.INVESTOR)
def product_import() -> ResponseReturnValue:
    investor = current_user.investor
    if investor is None:
        abort(403)
    if request.method == "GET":
        return _import_page()
    form = ImportForm()
    if not form.validate():
        return _import_page(form, error=_("Choose the file to upload."), status=422)
    upload = form.file.data
    try:
        content = upload.read(sheets.MAX_BYTES + 1)
    finally:
        upload.close()
    try:
        rows = sheets.read(upload.filename or "", content)
        checked = catalogue_import.check(investor, rows)
    except PosError as exc:
        return _import_page(form, error=str(exc), status=exc.status)
    token = catalogue_import.keep(_imports_folder(), investor, content)
    return _import_page(form, checked, token, status=422 if checked.errors else 200)


@bp.route("/products/import/<token>", methods=["POST"])
@allow(R.INVESTOR)
def product_import_confirm(token: str) -> ResponseReturnValue:
    investor = current_user.investor
    if investor is None:
        abort(403)
    confirm = ImportConfirmForm()
    if not confirm.validate():
        abort(400)
    try:
        name, content = catalogue_import.kept(_imports_folder(), investor, token)
        checked = catalogue_import.check(investor, sheets.read(name, content))
    except PosError as exc:
        return _import_page(error=str(exc), status=exc.status)
    if checked.errors and not confirm.skip_bad.data:
        return _import_page(
            checked=checked,
            token=token,
            error=_("Nothing was imported: fix the rows below, or choose to skip them."),
            status=422,
        )
    if not checked.good:
        return _import_page(checked=checked, token=token, error=_("No row can be imported."), status=422)
    with attempt():
        count = catalogue_import.apply(investor, checked.good, current_user)
    catalogue_import.forget(_imports_folder(), investor, token)
    flash(ngettext("%(num)d product imported.", "%(num)d products imported.", count), "success")
    return redirect(url_for("home.products"), 303)


@bp.route("/products/import/template.<kind>")
@allow(R.INVESTOR)
def product_import_template(kind: str) -> ResponseReturnValue:
    if kind not in ("csv", "xlsx"):
        abort(404)
    return export("template-katalog", catalogue_import.TEMPLATE_HEADER, [catalogue_import.TEMPLATE_EXAMPLE], fmt=kind)
