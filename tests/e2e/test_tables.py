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
    "mitra": ["/sales-by-product", "/stock", "/deliveries", "/products"],
    "manajer": ["/stock", "/stock/movements", "/deliveries", "/cashier/sales"],
}


@pytest.mark.parametrize("username", sorted(PAGES))
def test_every_column_of_a_table_is_in_sight(page: Any, live_server: LiveServer, username: str) -> None:
    _login(page, live_server, username)
    hidden = {}
    for path in PAGES[username]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        cut = page.evaluate(HIDDEN)
        if cut:
            hidden[path] = cut
    assert not hidden, f"columns out of sight at {page.viewport_size}: {hidden}"
