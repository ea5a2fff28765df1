"""Every CSV and Excel file the product hands out, made one way.

Text a spreadsheet would run as a formula is kept as text; dates stay dates and amounts numbers (Rupiah
formatted in Excel); the header row is bold and frozen; columns are as wide as what they hold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, request

from pos.core.zones import user_zone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cell(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:  # Excel has no time zones: the user's local time
        return value.astimezone(ZoneInfo(user_zone())).replace(tzinfo=None)
    return safe_cell(value)


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_cell(value)


def export(
    name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    money_columns: Sequence[int] = (),
    *,
    preamble: Sequence[Sequence[object]] = (),
    fmt: str | None = None,
) -> Response:
    """The table as CSV or an Excel workbook (``fmt``, else ``?format=csv|xlsx``); ``preamble`` rows (a
    statement's number and period) come before the header."""
    fmt = fmt or request.args.get("format", "csv")
    if fmt == "xlsx":
        return Response(
            _workbook(name, header, rows, money_columns, preamble),
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    if fmt != "csv":
        abort(400)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerows([_csv_cell(v) for v in row] for row in preamble)
    writer.writerow(header)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return Response(
        text.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _workbook(
    name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    money_columns: Sequence[int],
    preamble: Sequence[Sequence[object]],
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "data"
    for row in preamble:
        sheet.append([_xlsx_cell(v) for v in row])
    sheet.append(list(header))
    header_row = len(preamble) + 1
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{header_row + 1}"
    widths = [len(str(h)) for h in header]
    money = set(money_columns)
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], len(f"{value:,}" if isinstance(value, int) else str(value)) + 2)
    for cells in sheet.iter_rows(min_row=header_row + 1):
        for cell in cells:
            if cell.column - 1 in money and isinstance(cell.value, int):
                cell.number_format = '"Rp"#,##0'
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), MAX_WIDTH)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
