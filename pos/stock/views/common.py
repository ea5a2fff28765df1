"""What the stock views share: the outlet in view, whose goods the user sees, quantities, exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_

from pos.core.errors import PosError
from pos.domain.quantity import QuantityError, format_quantity, parse_quantity
from pos.domain.units import unit
from pos.extensions import db
from pos.models import Outlet, Product, Role
from pos.partnership import supply
from pos.web.access import scope_for

R = Role


def visible_outlets() -> list[Outlet]:
    if current_user.role == R.INVESTOR:
        return supply.outlets_of(current_user.investor_id) if current_user.investor_id else []
    scope = scope_for(current_user)
    query = db.select(Outlet).order_by(Outlet.name)
    if scope.outlet_ids is not None:
        query = query.where(Outlet.id.in_(scope.outlet_ids))
    return list(db.session.scalars(query))


def chosen_outlet(outlets: list[Outlet] | None = None) -> Outlet | None:
    """The outlet named by ``?outlet=CODE`` among those the user may see (the only one for staff)."""
    outlets = visible_outlets() if outlets is None else outlets
    code = request.values.get("outlet", "")
    if code:
        for outlet in outlets:
            if outlet.code == code:
                return outlet
        abort(404)
    return outlets[0] if outlets else None


def investor_ids(outlet: Outlet) -> set[int]:
    """Whose goods the user sees at this outlet: an investor only their own."""
    if current_user.role == R.INVESTOR:
        return {current_user.investor_id} if current_user.investor_id else set()
    return supply.investor_ids_of(outlet.id)


def product_by_code(code: str, investors: set[int]) -> Product:
    code = code.strip()
    product = db.session.scalar(
        db.select(Product)
        .where(Product.investor_id.in_(investors), or_(Product.barcode == code, Product.sku == code))
        .order_by(Product.active.desc())
        .limit(1)
    )
    if product is None:
        raise PosError(_("No product with code %(code)s here.", code=code[:60]), 404)
    return product


def quantity(text: str, product: Product, *, allow_zero: bool = False) -> int:
    u = unit(product.unit)
    text = (text or "").strip()
    if allow_zero and text in ("0", "0,0", "0.0", "0,000", "0.000"):
        return 0
    try:
        return parse_quantity(text, u)
    except QuantityError as exc:
        if u.by_measure:
            message = _(
                "%(name)s: enter the weight or volume, e.g. 1,25 (in %(unit)s).", name=product.name, unit=u.code
            )
        else:
            message = _("%(name)s is counted in whole units: enter a whole number.", name=product.name)
        raise PosError(message) from exc


def show_quantity(steps: int | None, unit_code: str) -> str:
    if steps is None:
        return ""
    return format_quantity(steps, unit(unit_code))


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export(
    name: str, header: Sequence[str], rows: Sequence[Sequence[object]], money_columns: Sequence[int] = ()
) -> Response:
    """The table as CSV (``?format=csv``) or an Excel workbook (``?format=xlsx``)."""
    fmt = request.args.get("format", "csv")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = name[:31]
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        for column in money_columns:
            for cells in sheet.iter_cols(min_col=column + 1, max_col=column + 1, min_row=2):
                for cell in cells:
                    cell.number_format = '"Rp"#,##0'
        out = io.BytesIO()
        book.save(out)
        return Response(
            out.getvalue(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    if fmt != "csv":
        abort(400)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(
        text.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
