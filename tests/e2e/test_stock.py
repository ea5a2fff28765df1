"""Receiving a delivery and counting stock on a tablet with a keyboard-wedge scanner."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LiveServer


def _login(page: Any, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", "demo-kmp-2026")
    page.get_by_role("button", name="Masuk").last.click()
    page.wait_for_load_state()


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_manager_receives_a_delivery_by_scanning_then_counts_by_scanning(page: Any, live_server: LiveServer) -> None:
    _login(page, live_server, "manajer")
    page.goto(live_server.url + "/stock?q=Aqua")
    before = int(page.locator("tbody tr").first.locator("td.num strong").inner_text())

    page.goto(live_server.url + "/deliveries?status=sent")
    page.get_by_role("link", name="Terima", exact=True).first.click()
    page.wait_for_selector("#find")
    assert _fits(page)
    rows = page.locator("tr[data-codes]")
    for index in range(rows.count()):
        rows.nth(index).get_by_role("button", name="Semua tiba").click()
    # the scanner types the Aqua barcode and Enter: the cursor lands on that line's quantity
    page.locator("#find").press_sequentially("8992002001012")
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.closest('tr').getAttribute('data-codes')")
    assert "8992002001012" in focused
    page.keyboard.type("10")  # two bottles short
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Konfirmasi penerimaan").click()
    page.wait_for_selector(".diff-short")
    assert "diterima" in page.locator(".toast").first.inner_text()

    page.goto(live_server.url + "/stock?q=Aqua")
    assert int(page.locator("tbody tr").first.locator("td.num strong").inner_text()) == before + 10

    page.goto(live_server.url + "/counts")
    page.get_by_role("button", name="Mulai hitung").click()
    page.wait_for_selector("#count-scan")
    assert _fits(page)
    page.locator("#count-scan").press_sequentially("8992002001012")
    page.keyboard.press("Enter")
    page.wait_for_selector("#focus-counted")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'focus-counted'")
    page.keyboard.type(str(before + 9))  # one bottle missing on the shelf
    page.keyboard.press("Enter")
    page.wait_for_selector("text=1 dari")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Konfirmasi penghitungan").click()
    page.wait_for_selector(".diff-short")
    page.goto(live_server.url + "/stock?q=Aqua")
    assert int(page.locator("tbody tr").first.locator("td.num strong").inner_text()) == before + 9
