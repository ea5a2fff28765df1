"""A new operator goes from an empty central to a selling, syncing outlet in the browser: central sets up the
cooperative, outlet, investor, category, agreement and logins; the investor lists a product and sends it; the
node is installed (its two shell steps: `kmp-pos db upgrade` and a first `kmp-pos sync --once`); the manager
receives the goods, the cashier sells, the manager syncs; central sees the sale and a complete checklist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pos.domain.barcode import complete_ean13
from pos.extensions import db
from tests.conftest import make_app
from tests.e2e.conftest import LiveServer

BARCODE = complete_ean13("899123400001")
RECEIVE = "Terima pengiriman ini"


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Masuk").last.click()
    page.wait_for_load_state()


def _submit(page: Any, button: str) -> None:
    page.get_by_role("button", name=button).last.click()
    page.wait_for_load_state()


def _person(browser: Any) -> Any:
    """Someone with a tablet of their own (their own cookies)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    context.on("dialog", lambda dialog: dialog.accept())  # the confirm boxes of tokens and receipts
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _no_error(page: Any) -> None:
    alerts = page.locator(".toast-error")
    assert alerts.count() == 0, alerts.first.inner_text()


def test_from_an_empty_central_to_a_selling_syncing_outlet(browser: Any, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from pos.core import clock
    from pos.models import Outlet, OutletSyncState, Sale

    central = make_app(f"sqlite:///{tmp_path / 'central.sqlite3'}", POS_ROLE="central", TESTING=False)
    with central.app_context():
        upgrade()
    monkeypatch.setenv("POS_NEW_PASSWORD", "admin-pusat-2026")
    made = central.test_cli_runner().invoke(
        args=["users", "create", "admin", "--name", "Admin Pusat", "--role", "admin", "--password", "env"]
    )
    assert made.exit_code == 0, made.output
    today = clock.business_date("Asia/Jakarta")
    page = _person(browser)
    with LiveServer(central) as hub:
        base = hub.url
        _sign_in(page, base, "admin", "admin-pusat-2026")
        page.goto(base + "/setup")
        page.get_by_role("link", name="Koperasi baru").first.click()
        page.fill("#code", "KMP-SUKA")
        page.fill("#name", "Koperasi Merah Putih Sukamaju")
        _submit(page, "Simpan")
        _no_error(page)
        assert "/setup/outlets/new" in page.url
        page.fill("#code", "SKM-01")
        page.fill("#name", "Gerai KMP Sukamaju")
        page.fill("#address", "Jl. Raya Sukamaju 1")
        _submit(page, "Simpan")
        _no_error(page)
        assert page.url.endswith("/setup/outlets/SKM-01") and "Kasir 1" in page.content()
        page.goto(base + "/setup/investors/new")
        for field, value in [
            ("#code", "TANI"),
            ("#name", "CV Tani Makmur"),
            ("#contact_name", "Bu Ani"),
            ("#username", "ani"),
            ("#password", "ani-tani-2026"),
        ]:
            page.fill(field, value)
        _submit(page, "Simpan")
        _no_error(page)
        page.goto(base + "/setup/categories/new")
        page.fill("#code", "SEMBAKO")
        page.fill("#name", "Sembako")
        _submit(page, "Simpan")
        _no_error(page)
        for username, name, role, secret in [
            ("hendra", "Hendra", "manager", "246813"),
            ("siti", "Siti", "cashier", "135790"),
        ]:
            page.goto(base + "/setup/users/new?outlet=SKM-01")
            page.fill("#username", username)
            page.fill("#full_name", name)
            page.select_option("#role", role)
            page.select_option("#outlet", label="Gerai KMP Sukamaju (SKM-01)")
            if role == "manager":
                page.fill("#password", "hendra-gerai-2026")
            page.fill("#pin", secret)
            _submit(page, "Simpan")
            _no_error(page)
        page.goto(base + "/agreements/new")
        page.fill("#number", "PKS/SKM/TANI/2026")
        page.select_option("#cooperative", label="Koperasi Merah Putih Sukamaju")
        page.select_option("#investor", label="CV Tani Makmur")
        page.select_option("#outlets", label="Gerai KMP Sukamaju (SKM-01)")
        page.fill("#start", today.isoformat())
        page.fill("#fee_percent", "10")
        page.fill("#staff_count", "2")
        _submit(page, "Simpan perjanjian")
        _no_error(page)
        page.goto(base + "/setup/outlets/SKM-01")
        assert "Perjanjian kemitraan (1)" in page.locator(".checklist").inner_text()

        investor = _person(browser)
        _sign_in(investor, base, "ani", "ani-tani-2026")
        investor.goto(base + "/products/new")
        investor.fill("#name", "Beras Premium 5 kg")
        investor.fill("#sku", "BRS-5")
        investor.fill("#barcode", BARCODE)
        investor.select_option("#category", label="Sembako")
        investor.fill("#price", "75.000")
        _submit(investor, "Simpan produk")
        _no_error(investor)
        investor.goto(base + "/deliveries/new")
        investor.fill("#expected_on", today.isoformat())
        investor.fill("#lines-0-code", "BRS-5")
        investor.fill("#lines-0-quantity", "20")
        _submit(investor, "Kirim")
        _no_error(investor)

        page.goto(base + "/sync/health")
        row = page.locator("tr", has_text="SKM-01")
        row.get_by_role("button", name="Token baru").click()
        page.wait_for_load_state()
        token = re.search(r"kmp_[A-Za-z0-9_-]+", page.content()).group(0)  # type: ignore[union-attr]

        node = make_app(
            f"sqlite:///{tmp_path / 'node.sqlite3'}",
            POS_ROLE="outlet",
            POS_OUTLET_CODE="SKM-01",
            POS_CENTRAL_URL=base,
            POS_SYNC_TOKEN=token,
            TESTING=False,
        )
        installed = node.test_cli_runner()
        assert installed.invoke(args=["db", "upgrade"]).exit_code == 0
        first = installed.invoke(args=["sync", "--once"])
        assert first.exit_code == 0, first.output
        with LiveServer(node) as shop:
            tablet = _person(browser)
            _sign_in(tablet, shop.url, "hendra", "hendra-gerai-2026")
            assert tablet.url.endswith("/dashboard")
            tablet.get_by_role("link", name=re.compile("Pengiriman untuk diterima")).click()
            tablet.locator("td a.mono").first.click()
            tablet.get_by_role("link", name=RECEIVE).click()
            tablet.get_by_role("button", name="Semua tiba").first.click()
            _submit(tablet, "Konfirmasi penerimaan")
            _no_error(tablet)
            for person in ("Hendra", "Siti"):  # the outlet's jobs, in its staff register
                tablet.goto(shop.url + "/staff/new")
                tablet.fill("#full_name", person)
                tablet.select_option("#employer", "cooperative")
                tablet.fill("#start_date", today.isoformat())
                _submit(tablet, "Simpan")
                _no_error(tablet)
            till = _person(browser)
            till.goto(shop.url + "/login?outlet=SKM-01")
            till.get_by_role("link", name="Siti").click()
            till.wait_for_url("**/login/pin/**")
            for digit in "135790":
                till.locator(f".keypad [data-key='{digit}']").click()
            till.get_by_role("button", name="OK").click()
            till.wait_for_url("**/cashier/shift/open")
            till.fill("#opening_float", "100.000")
            _submit(till, "Buka sesi")
            till.fill("#scan", BARCODE)
            till.press("#scan", "Enter")
            till.wait_for_selector(".cart-line")
            till.click("#pay-button")
            till.get_by_role("button", name="Rp75.000").first.click()
            till.wait_for_url("**/cashier/receipt/**")
            tablet.goto(shop.url + "/sync")
            _submit(tablet, "Sinkronkan sekarang")
            _no_error(tablet)
        with node.app_context():
            db.engine.dispose()
        page.goto(base + "/setup/outlets/SKM-01")
        assert "9 dari 9 siap" in page.content(), page.locator(".checklist").inner_text()
        with central.app_context():
            outlet_id = db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SKM-01"))
            sold = db.session.scalars(db.select(Sale.total).where(Sale.outlet_id == outlet_id)).all()
            assert list(sold) == [75_000]
            state = db.session.get(OutletSyncState, outlet_id)
            assert state is not None and state.gaps == 0
            db.engine.dispose()
    for person in (page, investor, tablet, till):
        person.context.close()
