"""Every report page on both tablet sizes: it renders its chart and tables, and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.test_stock import _fits, _login
from tests.timeline import Timeline, month_start


def pages(username: str, timeline: Timeline) -> list[str]:
    """Each role's report pages; the dashboard over a closed month-crossing period, the monthly report for the
    last whole month (a month-to-date default has one bar on the 1st)."""
    span = timeline.span().query
    return {
        "pusat": [
            f"/reports?{span}",
            "/reports",
            f"/reports/outlets?{span}",
            f"/reports/products?{span}",
            "/reports/jobs",
            f"/reports/monthly?month={month_start(timeline.today, -1):%Y-%m}",
        ],
        "pengurus": ["/reports/cooperative"],
        "mitra": ["/reports/investor"],
        "pemkot": ["/transparency"],
    }[username]


@pytest.mark.parametrize("username", ["pusat", "pengurus", "mitra", "pemkot"])
def test_report_pages_fit_a_tablet_and_show_their_figures(
    page: Any, live_server: LiveServer, username: str, timeline: Timeline
) -> None:
    _login(page, live_server, username)
    for path in pages(username, timeline):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert _fits(page), f"{path} scrolls sideways at {page.viewport_size}"
        assert page.locator("table tbody tr:not(:has(.empty)), .registry article").count() > 0, path
        assert path.startswith("/reports/jobs") or page.locator("text=Rp").count() > 0, path
        if path.startswith(("/reports?", "/reports/cooperative", "/reports/monthly")):
            chart = page.locator("svg.chart")
            assert chart.count() == 1 and chart.bounding_box()["width"] > 300, path  # type: ignore[index]
            assert chart.locator("rect").count() >= 10, path
