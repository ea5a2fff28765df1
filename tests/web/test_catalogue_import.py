"""An investor's catalogue from a CSV or Excel file: each bad row reported with its reason, nothing imported until
the file is clean or the bad rows are skipped by choice."""

from __future__ import annotations

import io
import re

from flask import Flask
from openpyxl import Workbook, load_workbook

from pos.domain.barcode import complete_ean13
from pos.extensions import db
from pos.models import Product, SyncChange
from tests.conftest import Client

HEADER = "sku;barcode;nama;satuan;kategori;harga;modal;kedaluwarsa"


def _upload(client: Client, content: bytes, name: str = "katalog.csv") -> tuple[int, str]:
    return client.upload("/products/import", "file", content, name)


def _token(page: str) -> str:
    found = re.search(r'action="/products/import/([A-Za-z0-9_-]+)"', page)
    assert found, page[:3000]
    return found.group(1)


def _count(app: Flask, **where: object) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count(Product.id)).filter_by(**where)) or 0)


def _category(app: Flask) -> str:
    with app.app_context():
        from pos.models import Category

        return db.session.scalar(db.select(Category.name).order_by(Category.id).limit(1))


def test_a_clean_file_is_checked_then_imported_and_reaches_the_outlets(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("mitra")
    category = _category(app)
    rows = [
        HEADER,
        f"IMP-001;{complete_ean13('899777000001')};Kopi Bubuk 200 g;bungkus;{category};Rp 18.500;15000;ya",
        f"IMP-002;;Gula Pasir Curah;kg;{category.upper()};16.000;;tidak",
        f"IMP-003;{complete_ean13('899777000002')};Teh Celup 25;kotak;{category};7500;6000;",
    ]
    with app.app_context():
        changes_before = db.session.scalar(db.select(db.func.count(SyncChange.id)))
    status, page = _upload(client, "\n".join(rows).encode("utf-8-sig"))
    assert status == 200 and "3 produk siap diimpor" in page
    assert _count(app, sku="IMP-001") == 0  # a preview imports nothing
    done = client.post(f"/products/import/{_token(page)}")
    assert done.status_code == 303
    with app.app_context():
        sugar = db.session.scalar(db.select(Product).where(Product.sku == "IMP-002"))
        assert sugar.unit == "kg" and sugar.price == 16000 and sugar.cost is None and sugar.barcode is None
        coffee = db.session.scalar(db.select(Product).where(Product.sku == "IMP-001"))
        assert (
            coffee.unit == "pack" and coffee.price == 18500 and coffee.tracks_expiry and coffee.investor.code == "SRB"
        )
        assert db.session.scalar(db.select(db.func.count(SyncChange.id))) >= changes_before + 3
    again = client.post(f"/products/import/{_token(page)}")
    assert again.status_code == 404 and _count(app, sku="IMP-001") == 1  # the same file is not imported twice


def test_each_bad_row_is_named_and_nothing_is_imported_until_skipped(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("mitra")
    category = _category(app)
    with app.app_context():
        other = db.session.scalar(
            db.select(Product.barcode).where(Product.investor.has(code="MNS"), Product.barcode.is_not(None))
        )
        own_sku = db.session.scalar(db.select(Product.sku).where(Product.investor.has(code="SRB")))
    good = complete_ean13("899777000010")
    rows = [
        HEADER,
        f"OK-001;{good};Barang Baik;pcs;{category};5000;;",  # row 2
        f"BAD-01;8991001003011;Salah Digit;pcs;{category};5000;;",  # 3: check digit
        f"BAD-02;{good};Kembar Barcode;pcs;{category};5000;;",  # 4: barcode of row 2
        f"BAD-03;{other};Punya Mitra Lain;pcs;{category};5000;;",  # 5: another investor's in the same outlet
        f"BAD-04;;Satuan Aneh;lusin;{category};5000;;",  # 6: unit
        "BAD-05;;Kategori Aneh;pcs;Tidak Ada;5000;;",  # 7: category
        f"BAD-06;;Gratis;pcs;{category};0;;",  # 8: price 0
        f"OK-001;;Kembar SKU;pcs;{category};5000;;",  # 9: SKU of row 2
        f"{own_sku};;Sudah Ada;pcs;{category};5000;;",  # 10: already in the catalogue
        f"BAD-07;;Harga Desimal;pcs;{category};12,5;;",  # 11: not whole Rupiah
        f"OK-002;;Barang Baik Dua;botol;{category};9000;;",  # 12
    ]
    status, page = _upload(client, "\n".join(rows).encode())
    assert status == 422 and "2 produk siap diimpor" in page and "9 baris bermasalah" in page
    for row, words in [
        (3, "bukan EAN-13"),
        (4, "baris 2"),
        (5, "sudah dipakai"),
        (6, "lusin"),
        (7, "Tidak Ada"),
        (8, "lebih dari 0"),
        (9, "baris 2"),
        (10, "sudah ada di katalog"),
        (11, "Rupiah"),
    ]:
        assert re.search(rf'<td class="num">{row}</td><td>[^<]+</td><td>[^<]*{re.escape(words)}', page), (row, words)
    token = _token(page)
    refused = client.post(f"/products/import/{token}")
    assert refused.status_code == 422 and _count(app, sku="OK-001") == 0
    skipped = client.post(f"/products/import/{token}", {"skip_bad": "y"})
    assert skipped.status_code == 303
    assert _count(app, sku="OK-001") == 1 and _count(app, sku="OK-002") == 1 and _count(app, sku="BAD-04") == 0


def test_files_that_are_not_a_catalogue_get_a_clear_message(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("mitra")
    before = _count(app)
    cases = [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "foto.png", "Excel (.xlsx) atau CSV"),
        ("sku;nama;satuan;kategori;harga\nX;Kopi Susu Ñ;pcs;A;100".encode("latin-1"), "a.csv", "UTF-8"),
        (b"", "kosong.csv", "kosong"),
        (b"sku;nama\nX;Y", "a.csv", "satuan"),
        (b"PK\x03\x04broken zip", "a.xlsx", "Excel"),
        (b"sku;nama;satuan;kategori;harga\n", "a.csv", "tidak ada produk"),
        (b"x" * (2 * 1024 * 1024 + 10), "besar.csv", "2 MB"),
    ]
    for content, name, words in cases:
        status, page = _upload(client, content, name)
        assert 400 <= status < 500, (name, status)
        assert words in page and 'role="alert"' in page, (name, words)
    assert _count(app) == before
    assert client.post("/products/import", {}, content_type="multipart/form-data").status_code == 422


def test_the_excel_template_fills_and_imports(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("mitra")
    template = client.get("/products/import/template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.data)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:6] == ["sku", "barcode", "nama", "satuan", "kategori", "harga"]
    book = Workbook()
    filled = book.active
    filled.append(header)
    filled.append(
        ["XL-001", int(complete_ean13("899777000020")), "Sabun Mandi", "pcs", _category(app), 4500, 3900, "tidak"]
    )
    filled.append(["XL-002", None, "Minyak Curah", "liter", _category(app), 17000.0, None, None])
    out = io.BytesIO()
    book.save(out)
    status, page = _upload(client, out.getvalue(), "isi.xlsx")
    assert status == 200 and "2 produk siap diimpor" in page, page[:2000]
    assert client.post(f"/products/import/{_token(page)}").status_code == 303
    with app.app_context():
        oil = db.session.scalar(db.select(Product).where(Product.sku == "XL-002"))
        assert oil.unit == "l" and oil.price == 17000
    assert client.get("/products/import/template.csv").data.startswith("\ufeff".encode())
    assert client.get("/products/import/template.pdf").status_code == 404


def test_only_the_investor_imports_and_only_its_own_file(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("mitra")
    category = _category(app)
    status, page = _upload(client, f"{HEADER}\nWALL-1;;Barang;pcs;{category};1000;;".encode())
    assert status == 200
    token = _token(page)
    client.logout()
    other = login_as("mitra2")
    assert other.post(f"/products/import/{token}").status_code == 404
    assert other.post("/products/import/../../etc").status_code == 404
    other.logout()
    for username in ("manajer", "pusat", "pengurus"):
        someone = login_as(username)
        assert someone.get("/products/import").status_code == 403
        assert someone.post(f"/products/import/{token}").status_code == 403
        someone.logout()
    assert _count(app, sku="WALL-1") == 0
