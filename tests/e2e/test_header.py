"""Every role's header keeps to one row on a landscape tablet and two on a portrait one: the menu scrolls
sideways instead of wrapping, and the current page stays in sight."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORDS
from tests.e2e.conftest import LiveServer

ROW = 60  # one row of the header, in CSS pixels (its buttons are 44 px tall)


@pytest.mark.parametrize("username", ["manajer", "mitra", "pengurus", "pusat", "pemkot", "admin", "kasir_pw"])
def test_the_header_fits_one_row_in_landscape_and_two_in_portrait(
    browser: Any, live_server: LiveServer, username: str
) -> None:
    for width, height, rows in [(1280, 800, 1), (800, 1280, 2)]:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
        page = context.new_page()
        page.goto(live_server.url + "/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORDS.get(username, "demo-kmp-2026"))
        page.get_by_role("button", name="Masuk").last.click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/cashier/sales" if username == "kasir_pw" else live_server.url + "/staff")
        box = page.locator(".topbar").bounding_box()
        assert box is not None and box["height"] <= rows * ROW, (username, width, box)
        current = page.locator(".mainnav [aria-current=page]")
        if current.count():
            nav = page.locator(".mainnav").bounding_box()
            item = current.bounding_box()
            assert (
                nav and item and item["x"] >= nav["x"] - 1 and item["x"] + item["width"] <= nav["x"] + nav["width"] + 1
            )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        context.close()
