"""Member cards (an A4 sheet and a 58 mm print, each with the card code as QR and Code 128) and importing a
cooperative's existing member list from CSV or Excel, every row checked before anything is imported."""

from __future__ import annotations

import io
import re

import zxingcpp
from barcode import Code128
from barcode.writer import ImageWriter
from flask import Flask
from openpyxl import Workbook
from pypdf import PdfReader

from pos.extensions import db
from pos.members import card
from pos.models import AuditEvent, Member


def _members(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Member.id))) or 0


def test_the_barcode_a_card_carries_reads_back_as_the_card_code() -> None:
    code = "AGT:KMP-CIPARE:CPR-0001"
    image = Code128(code, writer=ImageWriter()).render({"write_text": False, "module_width": 0.25})
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [code]
    assert "<svg" in card.code128_svg(code) and "<?xml" not in card.code128_svg(code)


def test_the_a4_sheet_holds_the_active_members_cards_without_their_nik(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        siti = db.session.scalar(db.select(Member).where(Member.number == "CPR-0001", Member.cooperative_id == 1))
        assert siti is not None
        siti.nik = "3604123456780001"
        db.session.commit()
    client = login_as("pengurus")
    sheet = client.get("/members/cards?cooperative=KMP-CIPARE").get_data(as_text=True)
    assert sheet.count('class="card"') == 22  # 24 members, two resigned
    assert "Siti Aminah" in sheet and "Imas Masitoh" not in sheet
    assert 'aria-label="AGT:KMP-CIPARE:CPR-0001"' in sheet and sheet.count("<svg") == 44
    assert "3604123456780001" not in sheet
    one = client.get("/members/cards?cooperative=KMP-CIPARE&q=ujang").get_data(as_text=True)
    assert one.count('class="card"') == 1
    pdf = client.get("/members/cards?cooperative=KMP-CIPARE&format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.get_data()))
    assert len(reader.pages) == 3 and "CPR-0001" in reader.pages[0].extract_text()


def test_the_58_mm_card_for_the_manager_and_nobody_outside(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        key = db.session.scalar(db.select(Member.uuid).where(Member.number == "CPR-0002", Member.cooperative_id == 1))
    manager = login_as("manajer")
    page = manager.get(f"/members/{key}/card").get_data(as_text=True)
    assert "size: 58mm auto" in page and "Ujang Supriatna" in page and "AGT:KMP-CIPARE:CPR-0002" in page
    for name in ("mitra", "pemkot", "kasir_pw"):
        assert login_as(name).get(f"/members/{key}/card").status_code == 403
    assert login_as("pengurus_b").get(f"/members/{key}/card").status_code == 404


def test_a_clean_list_is_imported_and_a_list_with_bad_rows_imports_nothing(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("pengurus")
    before = _members(app)
    bad = (
        "nomor anggota;nama;telepon;nik;tanggal masuk\n"
        "CPR-0100;Asep Baru;081234560001;;2024-01-15\n"
        "CPR-0001;Sudah Ada;;;2024-01-15\n"
        "CPR-0100;Dua Kali;;;15/01/2024\n"
        "CPR-0101;NIK Salah;;12345;15/01/2024\n"
        "CPR-0102;Tanggal Salah;;;kemarin\n"
    )
    status, page = client.upload("/members/import?cooperative=KMP-CIPARE", "file", bad.encode(), "anggota.csv")
    assert status == 422
    for row in ("baris 3", "baris 4", "baris 5", "baris 6"):
        assert row in page
    assert "Tidak ada yang diimpor" in page and _members(app) == before
    book = Workbook()
    sheet = book.active
    sheet.append(["Nomor Anggota", "Nama", "Telepon", "Desa", "RT/RW", "Tanggal Masuk"])
    sheet.append(["cpr-0100", "Asep Baru", "0812 3456 0001", "Cipare", "1/2", "2024-01-15"])
    sheet.append(["CPR-0101", "Euis Baru", None, "Cipare", None, "15/01/2024"])
    out = io.BytesIO()
    book.save(out)
    status, page = client.upload("/members/import?cooperative=KMP-CIPARE", "file", out.getvalue(), "anggota.xlsx")
    assert status == 303 or "diimpor" in page, page[:500]
    with app.app_context():
        added = db.session.scalar(db.select(Member).where(Member.number == "CPR-0100"))
        assert added is not None and added.phone == "081234560001" and added.rt_rw == "1/2"
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "members_imported")) is not None
    assert _members(app) == before + 2
    assert re.search(r"nomor anggota;nama", client.get("/members/import/template.csv").get_data(as_text=True))
    assert login_as("manajer").get("/members/import?cooperative=KMP-CIPARE").status_code == 403


def test_a_pdf_is_drawn_in_a_process_of_its_own(app: Flask, login_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The server never loads WeasyPrint (a long document's pages stayed in the worker's memory after the
    download); a child process draws the PDF and the server sends the file. A drawing that fails is a 503 with a
    message, never a 500."""
    import sys

    from pos.web import pdf as pdf_module

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # importing it here now fails; the child is not affected
    client = login_as("pengurus")
    drawn = client.get("/members/cards?cooperative=KMP-CIPARE&format=pdf")
    assert drawn.status_code == 200 and drawn.headers["Content-Disposition"].startswith("attachment;")
    body = drawn.get_data()
    assert int(drawn.headers["Content-Length"]) == len(body)
    assert len(PdfReader(io.BytesIO(body)).pages) == 3
    monkeypatch.setattr(pdf_module, "DRAW", "import sys; sys.exit('no Pango here')")
    failed = client.get("/members/cards?cooperative=KMP-CIPARE&format=pdf")
    assert failed.status_code == 503 and failed.mimetype == "text/html"
