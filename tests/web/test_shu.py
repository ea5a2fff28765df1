"""The board's SHU calculation: a preview that writes nothing, then a numbered, locked calculation whose parts add
up exactly, by purchases from the rollup and savings from the cooperative's file; refused inputs say what is
wrong and write nothing; its exports and slips; only the board, central and the administrator see it."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from pos.core import clock
from pos.domain.periods import book_year_of
from pos.extensions import db
from pos.members import purchases
from pos.models import Cooperative, Member, Sale, ShuCalculation, ShuPart
from tests.conftest import Client

DEFAULT = [
    ("cadangan", "Cadangan koperasi", "40"),
    ("jasa_anggota", "Jasa anggota (belanja)", "25"),
    ("jasa_modal", "Jasa modal (simpanan)", "15"),
    ("dana_pengurus", "Dana pengurus dan pengawas", "5"),
    ("dana_karyawan", "Dana karyawan", "5"),
    ("dana_pendidikan", "Dana pendidikan", "5"),
    ("dana_sosial", "Dana sosial", "2,5"),
    ("dana_pembangunan", "Dana pembangunan daerah kerja", "2,5"),
    ("lain_1", "", ""),
    ("lain_2", "", ""),
]
SAVINGS = "nomor anggota;simpanan\nCPR-0001;1.500.000\nCPR-0002;500000\nCPR-0003;0\n"


def _year() -> int:
    return book_year_of(clock.today() - timedelta(days=1))  # the demo's history ends yesterday


def _form(
    year: int, shu: str = "12.000.000", lines: list[tuple[str, str, str]] = DEFAULT, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"year": str(year), "shu": shu, "leavers": "included", **extra}
    for n, (code, label, share) in enumerate(lines):
        data[f"allocations-{n}-code"] = code
        data[f"allocations-{n}-label"] = label
        data[f"allocations-{n}-share"] = share
    return data


def _post(
    client: Client, data: dict[str, Any], savings: bytes | None = None, name: str = "simpanan.csv"
) -> tuple[int, str]:
    values: dict[str, Any] = {"csrf_token": client.token(), **data}
    if savings is not None:
        values["savings_file"] = FileStorage(io.BytesIO(savings), filename=name)
    boundary, body = encode_multipart(values)
    with client.raw.post("/shu/new", data=body, content_type=f"multipart/form-data; boundary={boundary}") as answer:
        return answer.status_code, answer.get_data(as_text=True) + answer.headers.get("Location", "")


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ShuCalculation.id))) or 0


def test_a_preview_writes_nothing_and_the_saved_calculation_adds_up_exactly(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("pengurus")
    assert "Cadangan koperasi" in client.get("/shu/new").get_data(as_text=True)
    year = _year()
    status, page = _post(client, _form(year, action="preview"), SAVINGS.encode())
    assert status == 200, page[:600]
    assert "Pratinjau" in page and "Rp3.000.000" in page  # jasa anggota: 25% of Rp12.000.000
    assert _count(app) == 0
    carried = re.search(r'name="savings_data" type="hidden" value="([^"]*)"', page)
    assert carried and "CPR-0001=1500000" in carried.group(1)
    status, where = _post(
        client,
        _form(year, action="save", savings_data=carried.group(1).replace("&#10;", "\n"), savings_name="simpanan.csv"),
    )
    assert status == 303, where[:600]
    with app.app_context():
        calc = db.session.scalar(db.select(ShuCalculation))
        assert calc is not None and calc.number == f"SHU-{year}-01" and calc.shu == 12_000_000
        pools = {a.code: a.amount for a in calc.allocations}
        assert sum(pools.values()) == 12_000_000 and pools["jasa_anggota"] == 3_000_000
        parts = db.session.scalars(db.select(ShuPart).where(ShuPart.calculation_id == calc.id)).all()
        assert sum(p.on_purchases for p in parts) + calc.undistributed == pools["jasa_anggota"]
        assert sum(p.on_savings for p in parts) == pools["jasa_modal"] == 1_800_000
        by_number = {p.member.number: p for p in parts}
        assert by_number["CPR-0001"].on_savings == 1_350_000 and by_number["CPR-0002"].on_savings == 450_000
        coop = db.session.get_one(Cooperative, calc.cooperative_id)
        bought = purchases.of_year(coop.id, year)
        assert all(p.purchases == bought.get(p.member_id, (0, 0, 0))[0] for p in parts)
        assert any(p.purchases for p in parts)
        uuid = calc.uuid
    detail = client.get(f"/shu/{uuid}").get_data(as_text=True)
    assert f"SHU-{year}-01" in detail and "Rp12.000.000" in detail
    csv_text = client.get(f"/shu/{uuid}.csv").get_data(as_text=True)
    assert "CPR-0001" in csv_text and "1350000" in csv_text.replace(".", "")
    book = load_workbook(io.BytesIO(client.get(f"/shu/{uuid}.xlsx").get_data()), read_only=True)
    assert any("CPR-0001" in [str(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True))
    pdf = PdfReader(io.BytesIO(client.get(f"/shu/{uuid}.pdf").get_data()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert f"SHU-{year}-01" in text and "Ketua" in text and "Sekretaris" in text and "H. Ahmad Fauzi" in text
    assert f"Halaman 1 dari {len(pdf.pages)}" in text
    slips = client.get(f"/shu/{uuid}/slips").get_data(as_text=True)
    assert slips.count('class="slip"') == len(parts) and "Siti Aminah" in slips
    status, _ = _post(client, _form(year, action="save", savings_data="CPR-0001=1500000"))
    assert status == 303
    with app.app_context():
        assert [c.number for c in db.session.scalars(db.select(ShuCalculation).order_by(ShuCalculation.id))] == [
            f"SHU-{year}-01",
            f"SHU-{year}-02",
        ]  # a correction is a new calculation; the first stays as it was


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"allocations-0-share": "45"}, "105%"),
        ({"allocations-1-share": "0", "allocations-0-share": "65"}, "jasa anggota"),
        ({"shu": "dua juta"}, "Rupiah"),
        ({"allocations-3-share": "5,555"}, "persentase"),
        ({"allocations-8-share": "1", "allocations-0-share": "39"}, "Beri nama"),
        ({"allocations-0-code": "jasa_anggota"}, "Muat ulang"),
    ],
)
def test_inputs_that_do_not_add_up_are_refused_and_nothing_is_saved(
    app: Flask, login_as, change: dict[str, str], words: str
) -> None:  # type: ignore[no-untyped-def]
    client = login_as("pengurus")
    status, page = _post(client, {**_form(_year(), action="save"), **change}, SAVINGS.encode())
    assert status == 422 and words in page, page[:800]
    assert _count(app) == 0


def test_a_savings_file_with_unknown_numbers_lists_them_and_imports_nothing(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("pengurus")
    bad = SAVINGS + "CPR-7777;100000\nX-1;abc\nCPR-0001;5\n"
    status, page = _post(client, _form(_year(), action="preview"), bad.encode())
    assert status == 422
    assert "CPR-7777" in page and "tidak ada di daftar anggota" in page
    assert "baris 6" in page and "baris 7" in page  # the bad amount and the number listed twice
    assert _count(app) == 0
    status, page = _post(client, _form(_year(), action="preview"))
    assert status == 422 and "simpanan" in page  # jasa modal has a share and no balances came


def test_members_who_left_can_be_left_out(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        leaver = db.session.scalar(db.select(Member).where(Member.number == "CPR-0019"))  # resigned in the demo
        assert leaver is not None and leaver.status_on is not None
        # on the day of their last purchase (whatever day the suite runs on, the year holds some of theirs)
        last = db.session.scalar(db.select(db.func.max(Sale.business_date)).where(Sale.member_id == leaver.id))
        assert last is not None
        leaver.status_on = last
        db.session.commit()
        year = book_year_of(last)
    client = login_as("pengurus")
    lines = [("jasa_anggota", "Jasa anggota", "100"), ("jasa_modal", "Jasa modal", "")]
    for rule_name, expect_zero in (("excluded", True), ("included", False)):
        status, _ = _post(client, _form(year, "1.000.000", lines, action="save", leavers=rule_name))
        assert status == 303
        with app.app_context():
            calc = db.session.scalar(db.select(ShuCalculation).order_by(ShuCalculation.id.desc()).limit(1))
            part = next(p for p in calc.parts if p.member.number == "CPR-0019")
            assert part.purchases > 0
            assert (part.on_purchases == 0) is expect_zero
            assert sum(p.on_purchases for p in calc.parts) + calc.undistributed == 1_000_000


def test_only_the_board_central_and_the_admin_see_shu_and_only_their_own(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("pengurus")
    status, where = _post(client, _form(_year(), action="save", savings_data="CPR-0001=1500000"))
    assert status == 303
    uuid = where.rsplit("/", 1)[-1]
    for name in ("kasir_pw", "manajer", "mitra", "pemkot"):
        other = login_as(name)
        for address in ("/shu", f"/shu/{uuid}", f"/shu/{uuid}.csv", f"/shu/{uuid}/slips", "/shu/new"):
            assert other.get(address).status_code == 403, (name, address)
    other = login_as("pengurus_b")
    assert other.get(f"/shu/{uuid}").status_code == 404
    assert other.get(f"/shu/{uuid}.pdf").status_code == 404
    assert "SHU-" not in other.get("/shu").get_data(as_text=True)
    central = login_as("pusat")
    assert central.get(f"/shu/{uuid}").status_code == 200
    assert central.get("/shu/new").status_code == 403  # the board calculates


def test_the_board_sets_its_book_year_and_signatories_and_bad_months_are_refused(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("pengurus")
    assert "Januari" in client.get("/shu").get_data(as_text=True)
    for month in ("13", "0", "Juli"):
        refused = client.post("/shu/officers", {"start_month": month, "chair": "H. Ahmad Fauzi", "secretary": "Sri"})
        assert refused.status_code == 422, month
    saved = client.post("/shu/officers", {"start_month": "7", "chair": "H. Ahmad Fauzi", "secretary": " Sri  Mulyani "})
    assert saved.status_code == 303
    with app.app_context():
        coop = db.session.get_one(Cooperative, 1)
        assert (coop.book_year_start_month, coop.secretary_name) == (7, "Sri Mulyani")
    central = login_as("pusat")
    page = central.get("/shu?cooperative=KMP-CIPARE").get_data(as_text=True)
    assert "Juli" in page and "Sri Mulyani" in page
    assert central.post("/shu/officers?cooperative=KMP-CIPARE", {"start_month": "1"}).status_code == 403
