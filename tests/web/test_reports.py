"""The programme dashboard reads rollups; every figure reconciles with the raw sales; roles see their own."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func

from pos.extensions import db
from pos.models import Outlet, Sale
from pos.services.clock import business_date
from tests.conftest import Client


def _raw(app: Flask, first: date, last: date, outlet_code: str | None = None) -> tuple[int, int, int]:
    with app.app_context():
        query = db.select(func.sum(Sale.total), func.sum(Sale.fee), func.count(Sale.id).filter(Sale.kind == "sale"))
        query = query.where(Sale.business_date >= first, Sale.business_date <= last)
        if outlet_code:
            query = query.join(Outlet, Sale.outlet_id == Outlet.id).where(Outlet.code == outlet_code)
        total, fee, count = db.session.execute(query).one()
        return int(total or 0), int(fee or 0), int(count or 0)


def _rp(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def test_dashboard_figures_equal_the_raw_sales(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    today = business_date("Asia/Jakarta")
    first = date(today.year, today.month, 1)
    total, fee, count = _raw(app, first, today)
    assert total > 0
    page = client.get("/reports").get_data(as_text=True)
    assert _rp(total) in page and _rp(fee) in page and f'<span class="stat-value">{count}</span>' in page
    assert "<svg" in page and "Gerai KMP Kaduagung" in page
    wide = client.get("/reports?start=2026-01-01&end=2026-11-30").get_data(as_text=True)
    assert _rp(_raw(app, date(2026, 1, 1), date(2026, 11, 30))[0]) in wide
    csv_text = client.get("/reports?start=2026-01-01&end=2026-11-30&format=csv").get_data(as_text=True)
    assert "SRG-CPR" in csv_text and str(_raw(app, date(2026, 1, 1), date(2026, 11, 30), "SRG-CPR")[0]) in csv_text


def test_bad_filters_get_a_clear_answer(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    assert client.get("/reports?start=2026-05-01&end=2026-01-01").status_code == 422
    assert client.get("/reports?start=2020-01-01&end=2026-01-01").status_code == 422
    assert client.get("/reports?start=nonsense").status_code == 422
    assert client.get("/reports?cooperative=NOPE").status_code == 404
    assert client.get("/reports?outlet=NOPE").status_code == 404


def test_a_board_sees_only_its_cooperative(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pengurus_b")
    page = client.get("/reports?start=2026-01-01&end=2026-11-30").get_data(as_text=True)
    assert "Gerai KMP Cipare" not in page and "Gerai KMP Kaduagung" in page
    assert client.get("/reports?outlet=SRG-CPR").status_code == 404
    assert client.get("/reports?cooperative=KMP-CIPARE").status_code == 404
    client.logout()
    for role in ("mitra", "manajer", "kasir_pw"):
        client = login_as(role)
        assert client.get("/reports").status_code == 403, role
        client.logout()
