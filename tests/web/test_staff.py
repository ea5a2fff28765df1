"""The staff register: who works where, new jobs against the target of 2, and who may see national IDs."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from openpyxl import load_workbook

from pos.extensions import db
from pos.models import Investor, OutboxEvent, StaffMember
from tests.conftest import Client

NIK = "3604015203990001"  # Siti's, in the demo


@pytest.mark.dates
def test_outlet_manager_registers_people_and_the_job_count_follows(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("manajer")
    page = client.get("/staff").get_data(as_text=True)
    assert "Siti Rahmawati" in page and NIK in page  # the outlet's own manager sees national IDs
    with app.app_context():
        srb = db.session.scalar(db.select(Investor.id).where(Investor.code == "SRB"))
        before = db.session.scalar(db.select(db.func.count(StaffMember.id)))
    base = {
        "full_name": "Ani Lestari",
        "role": "cashier",
        "employer": "investor",
        "investor": srb,
        "start_date": "2026-11-01",
        "new_job": "y",
    }
    for bad in (
        {"national_id": "12345"},
        {"end_date": "2026-10-01"},
        {"employer": "investor", "investor": 0},
        {"full_name": ""},
        {"role": "boss"},
        {"start_date": "9999-12-31"},
        {"start_date": "0001-01-01"},
    ):
        response = client.post("/staff/new", {**base, **bad})
        assert response.status_code == 422, bad
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(StaffMember.id))) == before
    assert client.post("/staff/new", {**base, "national_id": "3604014101010004"}).status_code == 303
    page = client.get("/staff").get_data(as_text=True)
    assert "Ani Lestari" in page
    with app.app_context():
        ani = db.session.scalar(db.select(StaffMember).where(StaffMember.full_name == "Ani Lestari"))
        assert db.session.scalar(
            db.select(OutboxEvent).where(
                OutboxEvent.event_type == "staff.saved", OutboxEvent.payload.contains(str(ani.uuid))
            )
        )
    # Ani leaves: the end date takes her off today's count
    edit = {**base, "end_date": "2026-11-15", "national_id": "3604014101010004"}
    assert client.post(f"/staff/{ani.uuid}", edit).status_code == 303
    with app.app_context():
        assert db.session.get(StaffMember, (ani.id, ani.outlet_id)).end_date.isoformat() == "2026-11-15"


def test_new_jobs_are_counted_against_the_target_of_two(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    page = client.get("/staff").get_data(as_text=True)
    # the demo outlet: three new jobs; the second outlet has nobody registered yet
    assert "Gerai KMP Cipare" in page and "Gerai KMP Kaduagung" in page
    assert page.count("di bawah target") == 1
    assert NIK in page  # the central office sees national IDs


def test_board_sees_its_outlets_staff_without_national_ids_and_nobody_else_does(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pengurus")
    page = client.get("/staff").get_data(as_text=True)
    assert "Siti Rahmawati" in page and NIK not in page
    assert NIK not in client.get("/staff?format=csv").get_data(as_text=True)
    with app.app_context():
        siti = db.session.scalar(db.select(StaffMember.uuid).where(StaffMember.full_name == "Siti Rahmawati"))
    assert client.get(f"/staff/{siti}").status_code == 403  # read-only for the board
    client.logout()
    client = login_as("pengurus_b")
    assert "Siti Rahmawati" not in client.get("/staff").get_data(as_text=True)
    client.logout()
    client = login_as("manajer_b")
    assert client.get(f"/staff/{siti}").status_code == 404
    assert client.get("/staff?outlet=SRG-CPR").status_code == 404
    client.logout()
    for role in ("mitra", "pemkot", "kasir_pw"):
        client = login_as(role)
        assert client.get("/staff").status_code == 403, role
        client.logout()
    client = login_as("manajer")
    book = load_workbook(io.BytesIO(client.get("/staff?format=xlsx").data))
    assert any(NIK in [str(c) for c in row] for row in book.active.iter_rows(values_only=True))
