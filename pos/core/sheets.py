"""Spreadsheets people upload (a catalogue, a member list, savings balances): CSV or Excel read into rows of
text, header first, the columns found by their names in the header row, and the bad rows named by the row
number the spreadsheet shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from pos.core.errors import PosError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000


class FileRefused(PosError):
    """The file as a whole cannot be read: the message says why."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    column: str
    reason: str


def read(filename: str, content: bytes) -> list[list[str]]:
    """The file's rows as text, header first. CSV (UTF-8, `;` or `,`) or Excel (.xlsx)."""
    if len(content) > MAX_BYTES:
        raise FileRefused(_("The file is larger than 2 MB: split it."), 413)
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if filename.lower().endswith((".xls", ".xlsx", ".ods")) or b"\x00" in content[:4096]:
        raise FileRefused(_("Save the sheet as Excel (.xlsx) or CSV (UTF-8) and upload that."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_('The file is not UTF-8 text: save it as "CSV UTF-8" and upload it again.')) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(content: bytes) -> list[list[str]]:
    import warnings
    import zipfile

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRefused(_("The Excel file cannot be read: save it again as .xlsx.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():  # openpyxl reads every number cell as a float
        return str(int(value))
    return str(value).strip()


def columns(header: list[str], names: Mapping[str, Sequence[str]], required: Sequence[str]) -> dict[str, int]:
    """Each column's index by its names in the header row (English, Indonesian); a required one missing is
    refused with the missing names."""
    cells = [h.strip().lower() for h in header]
    found = {}
    for key, words in names.items():
        for index, name in enumerate(cells):
            if name in words:
                found[key] = index
                break
    missing = [key for key in required if key not in found]
    if missing:
        raise FileRefused(_("The first row must name the columns; missing: %(names)s.", names=", ".join(missing)))
    return found


def with_rows(rows: list[list[str]]) -> list[list[str]]:
    """The rows, refused when there is nothing under the header or more than ``MAX_ROWS`` of them."""
    if len(rows) < 2:
        raise FileRefused(_("The file has no rows under its header."))
    if len(rows) > MAX_ROWS + 1:
        raise FileRefused(_("The file has more than %(n)s rows.", n=MAX_ROWS), 413)
    return rows
