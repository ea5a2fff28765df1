from typing import Any

from tests.e2e.conftest import LiveServer, pin_login


def test_demo_cashier_logs_in_with_pin_and_sees_the_cashier_screen(page: Any, live_server: LiveServer) -> None:
    pin_login(page, live_server)
    page.wait_for_url(live_server.url + "/cashier/shift/open")
    page.fill("#opening_float", "100000")
    page.get_by_role("button", name="Buka sesi").last.click()
    page.wait_for_url(live_server.url + "/cashier")
    assert page.locator("#scan").is_visible()
    assert page.evaluate("document.activeElement.id") == "scan"
    assert "Siti Rahmawati" in page.locator(".topbar").inner_text() or page.viewport_size["width"] < 900
    assert page.locator("#pay-button, button:has-text('Bayar')").first.is_visible()
    # nothing on the page is wider than the screen (no horizontal scrolling on a tablet)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_wrong_pin_shows_a_message_in_indonesian(page: Any, live_server: LiveServer) -> None:
    pin_login(page, live_server, pin="0000")
    assert "PIN salah" in page.locator(".toast-error").inner_text()
