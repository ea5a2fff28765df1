"""Tables on both tablet sizes: every column in sight, none pushed out to the right of its box."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import LiveServer
from tests.e2e.test_stock import _login

HIDDEN = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(w => w.scrollWidth > w.clientWidth + 1)
  .map(w => (w.querySelector('thead th:last-child') || w).innerText.trim() + ' ' + w.scrollWidth + '>' + w.clientWidth)"""

PAGES = {
    "mitra": [
        "/sales-by-product",
        "/stock",
        "/deliveries",
        "/products",
        "/reports/investor",
        "/statements",
        "/agreements",
    ],
    "manajer": ["/stock", "/stock/movements", "/deliveries", "/stock/shrinkage", "/members"],
    "pengurus": ["/reports/cooperative", "/statements", "/fees", "/members", "/agreements"],
    "pusat": ["/reports/outlets", "/reports/products", "/reports/jobs", "/sync/health", "/setup", "/setup/users"],
    "pemkot": ["/transparency"],
}


def _issue_statements(page: Any, server: LiveServer) -> None:
    """The central office issues every ended period of an agreement, so that the statement lists have rows."""
    _login(page, server, "pusat")
    page.goto(server.url + "/agreements")
    page.locator("a", has_text="/SRB/").first.click()
    page.wait_for_load_state()
    page.goto(page.url + "/statements")
    page.locator("form.issue-all button").first.click()
    page.wait_for_load_state()
    page.context.clear_cookies()


@pytest.mark.parametrize("username", sorted(PAGES))
def test_every_column_of_a_table_is_in_sight(page: Any, live_server: LiveServer, username: str) -> None:
    _issue_statements(page, live_server)
    _login(page, live_server, username)
    hidden = {}
    for path in PAGES[username]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("table tbody tr:not(:has(.empty))").count() > 0, f"{path} shows no rows"
        cut = page.evaluate(HIDDEN)
        if cut:
            hidden[path] = cut
    assert not hidden, f"columns out of sight at {page.viewport_size}: {hidden}"
