"""Each role's home shows its work: figures that equal the records behind them, each linking to where it is done."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask

from pos.domain.money import format_rupiah
from pos.extensions import db
from pos.models import Delivery, DeliveryStatus, Outlet, Sale, SaleLine, Statement


def _tile(page: str, label: str) -> str:
    found = re.search(r'<span class="stat-value">([^<]+)</span><span class="stat-label">' + re.escape(label), page)
    assert found, f"no tile {label!r}"
    return found.group(1)


def test_the_manager_lands_on_the_outlets_day(app: Flask, login_as, today: date) -> None:  # type: ignore[no-untyped-def]
    manager = login_as("manajer")
    landed = manager.get("/")
    assert landed.status_code == 302 and landed.headers["Location"].endswith("/dashboard")
    page = manager.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        outlet_id = db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-CPR"))
        total, count = db.session.execute(
            db.select(db.func.coalesce(db.func.sum(Sale.total), 0), db.func.count(Sale.id)).where(
                Sale.outlet_id == outlet_id, Sale.business_date == today
            )
        ).one()
        to_receive = db.session.scalar(
            db.select(db.func.count(Delivery.id)).where(
                Delivery.outlet_id == outlet_id, Delivery.status == DeliveryStatus.SENT
            )
        )
    assert _tile(page, "Penjualan hari ini") == format_rupiah(total)
    assert _tile(page, "Struk hari ini") == str(count)
    assert _tile(page, "Pengiriman untuk diterima") == str(to_receive)
    assert "Penjualan hari ini per mesin kasir" in page and 'href="/cashier"' in page
    cashier = login_as("kasir_pw")
    assert cashier.get("/").headers["Location"].endswith("/cashier")


def test_the_investor_sees_its_share_this_month_and_what_waits_on_it(app: Flask, login_as, today: date) -> None:  # type: ignore[no-untyped-def]
    page = login_as("mitra").get("/dashboard").get_data(as_text=True)
    with app.app_context():
        from pos.models import Investor

        investor_id = db.session.scalar(db.select(Investor.id).where(Investor.code == "SRB"))
        share = db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(SaleLine.investor_share), 0))
            .join(Sale, (Sale.outlet_id == SaleLine.outlet_id) & (Sale.id == SaleLine.sale_id))
            .where(SaleLine.investor_id == investor_id, Sale.business_date >= today.replace(day=1))
        )
        unsigned = db.session.scalar(
            db.select(db.func.count(Statement.id)).where(
                Statement.investor_id == investor_id, Statement.investor_signed_at.is_(None), Statement.nil.is_(False)
            )
        )
    assert _tile(page, "Bagian Anda bulan ini") == format_rupiah(share)
    assert _tile(page, "Laporan yang perlu ditandatangani") == str(unsigned)


def test_the_board_and_central_see_their_work(login_as) -> None:  # type: ignore[no-untyped-def]
    board = login_as("pengurus").get("/dashboard").get_data(as_text=True)
    assert _tile(board, "Pendapatan fee bulan ini").startswith("Rp")
    assert _tile(board, "Laporan yang perlu ditandatangani").isdigit()
    central = login_as("pusat").get("/dashboard").get_data(as_text=True)
    for label in ("Gerai tidak tersinkron", "Peristiwa ditolak untuk diperiksa", "Sengketa terbuka"):
        assert _tile(central, label).isdigit()


def _badge(page: str, label: str) -> str | None:
    found = re.search(re.escape(label) + r' <span class="badge">(\d+)<span class="sr-only">', page)
    return found.group(1) if found else None


def test_menu_badges_count_what_waits_on_the_user(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    manager = login_as("manajer")
    page = manager.get("/staff").get_data(as_text=True)
    assert page.count(">Pengiriman<") <= 1 and 'href="/deliveries"' not in page.split("</nav>")[0]  # not twice
    assert _badge(page, "Stok") == _tile(manager.get("/dashboard").get_data(as_text=True), "Pengiriman untuk diterima")
    manager.logout()
    cashier = login_as("kasir_pw")
    assert 'class="badge"' not in cashier.get("/cashier/sales").get_data(as_text=True)
    cashier.logout()
    central = login_as("pusat")
    home = central.get("/dashboard").get_data(as_text=True)
    waiting = int(_tile(home, "Gerai tidak tersinkron")) + int(_tile(home, "Peristiwa ditolak untuk diperiksa"))
    assert _badge(home, "Status sinkron") == (str(waiting) if waiting else None)


def test_the_board_sees_what_the_cooperative_still_owes_its_investors(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    from pos.models import Cooperative, Direction, StatementPayment

    board = login_as("pengurus")
    page = board.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        coop_id = db.session.scalar(db.select(Cooperative.id).where(Cooperative.code == "KMP-CIPARE"))
        owed = 0
        for statement in db.session.scalars(
            db.select(Statement).where(
                Statement.outlet.has(cooperative_id=coop_id), Statement.direction == Direction.TO_INVESTOR
            )
        ):
            paid = db.session.scalar(
                db.select(db.func.coalesce(db.func.sum(StatementPayment.amount), 0)).where(
                    StatementPayment.outlet_id == statement.outlet_id, StatementPayment.statement_id == statement.id
                )
            )
            owed += max(0, statement.amount_payable - paid)
    assert _tile(page, "Harus dibayar ke mitra") == format_rupiah(owed)
