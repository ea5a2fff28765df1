"""Every CSV and Excel file through pos/web/exports.py: formula-safe text, real dates and numbers, a bold
frozen header, widths that fit."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from flask import Flask
from openpyxl import load_workbook

from pos.web.exports import export
from tests.conftest import Client, csv_rows

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
    rows = csv_rows(response.get_data(as_text=True))
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
        assert first.startswith("\ufeffProduk;Tanggal") and taken["rows"] < 2_000  # sent before the rest is read
        text = first + "".join(chunks)
    lines = csv_rows(text)
    assert len(lines) == 100_001 and taken["rows"] == 100_000
    assert lines[1] == ["Produk 0", "2027-03-01", "0", "ok"]
    assert lines[-1] == ["Produk 99999", "2027-03-01", "9999900", "'=1+1"]
    taken["rows"] = 0
    with app.test_request_context("/x?format=xlsx"):
        response = export("stok", ["Produk", "Tanggal", "Nilai", "Catatan"], rows(), money_columns=(2,))
        assert response.is_streamed
        parts = iter(response.response)
        first = next(parts)
        assert first.startswith(b"PK") and taken["rows"] < 2_000  # the workbook, too, leaves as it is written
        data = first + b"".join(parts)
    assert taken["rows"] == 100_000
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.active
    count, last = 0, None
    for row in sheet.iter_rows(values_only=True):
        count, last = count + 1, row
    assert count == 100_001 and last == ("Produk 99999", datetime(2027, 3, 1), 9_999_900, "'=1+1")
    book.close()


def _sheet(client: Client, url: str) -> list[list[object]]:
    answer = client.get(url)
    assert answer.status_code == 200, url
    book = load_workbook(io.BytesIO(answer.get_data()))
    sheet = book.active
    assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1] if cell.value), url
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_each_export_an_accountant_opens_holds_numbers_dates_and_words(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from tests.web.checkout_helpers import MIE, open_shift, pay, scan

    cashier = login_as("kasir_pw")
    open_shift(cashier, app)
    scan(cashier, MIE)
    assert pay(cashier, app, cash="3500").status_code == 303
    cashier.logout()
    manager = login_as("manajer")
    stock = _sheet(manager, "/stock/export?format=xlsx")
    head = stock[0]
    on_hand, unit, price = head.index("Stok"), head.index("Satuan"), head.index("Harga")
    assert all(isinstance(row[on_hand], int | float) for row in stock[1:])
    assert {row[unit] for row in stock[1:]} <= {"pcs", "botol", "bungkus", "kotak", "sachet", "kg", "liter"}
    assert all(isinstance(row[price], int) for row in stock[1:])
    moves = _sheet(manager, "/stock/movements?outlet=SRG-CPR&format=xlsx")
    head = moves[0]
    when, kind, qty = head.index("Waktu"), head.index("Jenis"), head.index("Jumlah")
    assert all(isinstance(row[when], datetime) and row[when].microsecond == 0 for row in moves[1:])
    assert all(isinstance(row[qty], int | float) for row in moves[1:])
    assert any(row[qty] < 0 for row in moves[1:]) and "penjualan" in {row[kind] for row in moves[1:]}
    staff = _sheet(manager, "/staff?format=xlsx")
    start = staff[0].index("Tanggal mulai")
    assert all(isinstance(row[start], datetime) for row in staff[1:])
    text = manager.get("/stock/movements?outlet=SRG-CPR&format=csv").get_data(as_text=True)
    rows = csv_rows(text)
    assert all(not cell.startswith("'") for row in rows for cell in row)  # a negative quantity is no formula
    assert all(len(row[0]) == len("2026-12-01 08:24") for row in rows[1:])  # local time to the minute


def _export_links(client: Client, pages: list[str]) -> set[str]:
    import re

    found: set[str] = set()
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        found |= {link.replace("&amp;", "&") for link in re.findall(r'href="([^"]*format=xlsx[^"]*)"', page)}
    return found


def test_every_excel_export_keeps_dates_as_dates_and_numbers_as_numbers(app: Flask, client: Client) -> None:
    """Each Excel file a role can download from its pages: no date or time written as text, no number hidden
    behind an apostrophe, a bold frozen header."""
    import re

    from tests.conftest import PASSWORDS

    pages = {
        "manajer": ["/stock", "/stock/movements", "/stock/shrinkage", "/staff", "/cashier/sales"],
        "mitra": ["/sales-by-product", "/reports/investor", "/statements", "/stock"],
        "pengurus": ["/reports/cooperative", "/fees", "/statements"],
        "pusat": ["/reports", "/reports/outlets", "/reports/products", "/reports/jobs", "/transparency", "/staff"],
    }
    opened = 0
    for username, urls in pages.items():
        client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
        links = _export_links(client, urls)
        statements = re.findall(r'href="(/statements/[0-9a-f-]{36})"', client.get("/statements").get_data(as_text=True))
        links |= {f"{s}.xlsx" for s in statements[:1]}
        for link in sorted(links):
            rows = _sheet(client, link)
            opened += 1
            for row in rows[1:]:
                for value in row:
                    if isinstance(value, str):
                        assert not re.search(r"\d{4}-\d{2}-\d{2}(T|\s\d|$)", value), (link, value)  # a date as text
                        assert not re.fullmatch(r"'-?[\d.,]+", value), (link, value)  # a number as text
                        assert "+00:00" not in value, (link, value)
        client.logout()
    assert opened >= 12, opened
