"""Every CSV and Excel file the product hands out, made one way, for an accountant to open as it is.

Text a spreadsheet would run as a formula is kept as text; dates and times stay dates (in the outlet's zone),
quantities and amounts numbers (Rupiah formatted in Excel); the header row is bold and frozen; columns are as
wide as what they hold. CSV is UTF-8 with a byte-order mark (Excel reads the encoding from it); in Indonesian it
is separated by ``;`` with a decimal comma, as Excel set to Indonesian expects, in English by ``,`` with a
decimal point.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Response, abort, request, stream_with_context

from pos.core.zones import user_zone
from pos.domain.quantity import quantity_number
from pos.domain.units import unit
from pos.runtime import return_memory
from pos.web.templating import language

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
STREAM_WIDTH = 16  # a column's width when the rows stream and cannot be measured first
CHUNK_ROWS = 1_000


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def quantity_cell(steps: int | None, unit_code: str) -> int | Decimal | None:
    """A quantity for an export: a number (its unit goes in a column of its own), empty when there is none."""
    return None if steps is None else quantity_number(steps, unit(unit_code))


def local_moment(moment: datetime | None, timezone: str) -> datetime | None:
    """A stored (UTC) moment as the wall-clock time of the outlet, to the minute, for a spreadsheet."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None, second=0, microsecond=0)


def _xlsx_cell(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:  # Excel has no time zones: the user's local time
        return value.astimezone(ZoneInfo(user_zone())).replace(tzinfo=None)
    return safe_cell(value)


def _csv_cell(value: object, decimal_comma: bool) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(user_zone())).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text.replace(".", ",") if decimal_comma else text
    return safe_cell(value)


def export(
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    money_columns: Sequence[int] = (),
    *,
    preamble: Sequence[Sequence[object]] = (),
    fmt: str | None = None,
) -> Response:
    """The table as CSV or an Excel workbook (``fmt``, else ``?format=csv|xlsx``), streamed as it is written:
    ``rows`` may be a generator (an export of 100,000 rows never holds them all); ``preamble`` rows (a
    statement's number and period) come before the header."""
    fmt = fmt or request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    if fmt == "xlsx":
        body: Iterator[bytes | str] = _workbook(name, header, rows, money_columns, preamble)
        mimetype, suffix = XLSX, "xlsx"
    else:
        body, mimetype, suffix = _csv(header, rows, preamble), "text/csv; charset=utf-8", "csv"
    response = Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'},
    )
    response.call_on_close(return_memory)  # what the rows took goes back to the system, not kept by the worker
    return response


def _csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], preamble: Sequence[Sequence[object]]
) -> Iterator[str]:
    text = io.StringIO()
    indonesian = language() == "id"
    writer = csv.writer(text, delimiter=";" if indonesian else ",")
    text.write("\ufeff")  # UTF-8 byte-order mark: Excel then reads the file as UTF-8
    writer.writerows([_csv_cell(v, indonesian) for v in row] for row in preamble)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v, indonesian) for v in row])
        if n % CHUNK_ROWS == 0:
            yield text.getvalue()
            text.seek(0)
            text.truncate()
    yield text.getvalue()


def _widths(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[int]:
    widths = [len(str(h)) for h in header]
    if isinstance(rows, Sequence):  # a list can be measured first; a stream gets the header's widths and more
        for row in rows:
            for index, value in enumerate(row[: len(widths)]):
                widths[index] = max(widths[index], len(f"{value:,}" if isinstance(value, int) else str(value)) + 2)
    else:
        widths = [max(w, STREAM_WIDTH) for w in widths]
    return [min(max(w, 8), MAX_WIDTH) for w in widths]


def _workbook(
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    money_columns: Sequence[int],
    preamble: Sequence[Sequence[object]],
) -> Iterator[bytes]:
    """openpyxl's write-only workbook, sent as its rows are written (``pos.web.xlsx_stream``)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from pos.web.xlsx_stream import StreamedBook, chunks

    def prepare(sheet: object) -> None:
        for index, width in enumerate(_widths(header, rows), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
        sheet.freeze_panes = f"A{len(preamble) + 2}"  # type: ignore[attr-defined]

    book = StreamedBook("".join(c for c in name if c not in "[]:*?/\\")[:31] or "data", prepare)
    sheet = book.sheet
    for row in preamble:
        sheet.append([_xlsx_cell(v) for v in row])
    bold = Font(bold=True)
    sheet.append([_styled(sheet, h, font=bold) for h in header])
    money = set(money_columns)

    def cells(row: Sequence[object]) -> list[object]:
        out: list[object] = []
        for index, value in enumerate(row):
            value = _xlsx_cell(value)
            if index in money and isinstance(value, int):
                out.append(_styled(sheet, value, number_format='"Rp"#,##0'))
            elif isinstance(value, datetime):
                out.append(_styled(sheet, value, number_format="yyyy-mm-dd hh:mm"))
            elif isinstance(value, date):
                out.append(_styled(sheet, value, number_format="yyyy-mm-dd"))
            else:
                out.append(value)
        return out

    yield from chunks(book, (cells(row) for row in rows), CHUNK_ROWS)


def _styled(sheet: object, value: object, **style: object) -> object:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    for key, setting in style.items():
        setattr(cell, key, setting)
    return cell
