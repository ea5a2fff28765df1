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


def test_an_export_of_100000_rows_streams_as_it_is_written_and_stays_correct(app: Flask) -> None:
    taken = {"rows": 0}

    def rows():  # type: ignore[no-untyped-def]
        for n in range(100_000):
            taken["rows"] += 1
            yield [f"Produk {n}", date(2027, 3, 1), n * 100, "=1+1" if n == 99_999 else "ok"]

    with app.test_request_context("/x?format=csv"):
        response = export("stok", ["Produk", "Tanggal", "Nilai", "Catatan"], rows())
        assert response.is_streamed
        chunks = iter(response.response)
        first = next(chunks)
        assert first.startswith("Produk,Tanggal") and taken["rows"] < 2_000  # sent before the rest is read
        text = first + "".join(chunks)
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 100_001 and taken["rows"] == 100_000
    assert lines[1] == ["Produk 0", "2027-03-01", "0", "ok"]
    assert lines[-1] == ["Produk 99999", "2027-03-01", "9999900", "'=1+1"]
    with app.test_request_context("/x?format=xlsx"):
        response = export("stok", ["Produk", "Tanggal", "Nilai", "Catatan"], rows(), money_columns=(2,))
        assert response.is_streamed
        data = response.get_data()
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.active
    count, last = 0, None
    for row in sheet.iter_rows(values_only=True):
        count, last = count + 1, row
    assert count == 100_001 and last == ("Produk 99999", datetime(2027, 3, 1), 9_999_900, "'=1+1")
    book.close()
