"""Every CSV and Excel file through pos/web/exports.py: formula-safe text, real dates and numbers, a bold
frozen header, widths that fit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from flask import Flask
from openpyxl import load_workbook

from pos.web.exports import export

ROWS = [
    ['=HYPERLINK("http://x")', date(2027, 3, 1), 1_250_000, datetime(2027, 3, 1, 3, 0, tzinfo=UTC)],
    ["Beras premium Pandan Wangi 5 kg", date(2027, 3, 2), -2_500, datetime(2027, 3, 2, 17, 30, tzinfo=UTC)],
]
HEADER = ["Produk", "Tanggal", "Penjualan bersih", "Waktu"]


def test_an_excel_file_an_accountant_can_use(app: Flask) -> None:
    with app.test_request_context("/x?format=xlsx"):
        response = export("laporan", HEADER, ROWS, money_columns=(2,), preamble=[["KMP-001", "Maret 2027"]])
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert [c.value for c in sheet[2]] == HEADER and all(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    text, day, amount, moment = (c for c in sheet[3])
    assert text.value == '\'=HYPERLINK("http://x")'  # kept as text, never run
    assert day.value == datetime(2027, 3, 1) and day.number_format == "yyyy-mm-dd"
    assert amount.value == 1_250_000 and amount.number_format == '"Rp"#,##0'
    assert moment.value == datetime(2027, 3, 1, 10, 0)  # 03:00 UTC is 10:00 in the outlet's zone (WIB)
    assert sheet.column_dimensions["A"].width >= len("Beras premium Pandan Wangi 5 kg")


def test_a_csv_file_keeps_dates_and_numbers_plain(app: Flask) -> None:
    with app.test_request_context("/x?format=csv"):
        response = export("laporan", HEADER, ROWS)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == HEADER
    assert rows[1][:3] == ['\'=HYPERLINK("http://x")', "2027-03-01", "1250000"]
    assert rows[2][2] == "-2500"  # a negative amount is a number, not a formula


def test_an_unknown_format_is_refused(app: Flask) -> None:
    with app.test_request_context("/x?format=pdf"):
        try:
            export("laporan", HEADER, ROWS)
        except Exception as exc:  # werkzeug's BadRequest
            assert getattr(exc, "code", None) == 400
        else:
            raise AssertionError("an unknown format must be refused")
