"""Every report page on both tablet sizes: it renders its chart and tables, and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.test_stock import _fits, _login

PAGES = {
    "pusat": ["/reports", "/reports/outlets", "/reports/products", "/reports/jobs", "/reports/monthly?month=2026-10"],
    "pengurus": ["/reports/cooperative"],
    "mitra": ["/reports/investor"],
    "pemkot": ["/transparency"],
}


@pytest.mark.parametrize("username", list(PAGES))
def test_report_pages_fit_a_tablet_and_show_their_figures(page: Any, live_server: LiveServer, username: str) -> None:
    _login(page, live_server, username)
    for path in PAGES[username]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert _fits(page), f"{path} scrolls sideways at {page.viewport_size}"
        assert page.locator("table tbody tr:not(:has(.empty)), .registry article").count() > 0, path
        assert path.startswith("/reports/jobs") or page.locator("text=Rp").count() > 0, path
        if path in ("/reports", "/reports/cooperative") or path.startswith("/reports/monthly"):
            chart = page.locator("svg.chart")
            assert chart.count() == 1 and chart.bounding_box()["width"] > 300, path  # type: ignore[index]
            assert chart.locator("rect").count() >= 10, path
