"""axe-core over every kind of page each role reaches, in Chromium: no serious or critical violation.

axe-core (from the axe-playwright-python package, one file) is put into the page by the test only; the
browser context bypasses the page's Content-Security-Policy for it, which users' browsers never do.
"""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORDS, need
from tests.e2e.conftest import LiveServer

ROLES = {"kasir_pw": "cashier", "manajer": "manager", "mitra": "investor", "pengurus": "board", "pusat": "central"}
ROLES |= {"pemkot": "facilitator", "admin": "admin"}
SKIP = re.compile(r"/(logout|static|api|sync/pull|sync/push)\b|export|format=|\.csv|\.xlsx|\.pdf|/photo")
KINDS_PER_ROLE = 30
# checked whatever impact axe gives them (minor or moderate by its reckoning): headings, headers, labels
ALWAYS = ["page-has-heading-one", "empty-table-header", "label", "select-name", "heading-order"]


def _axe_source() -> str:
    try:
        import axe_playwright_python
    except ImportError:  # pragma: no cover - the test extras bring it
        need(False, "pip install axe-playwright-python (it carries axe-core)")
        raise
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _kind(path: str) -> str:
    """Pages of one kind (every statement, every product) are checked once."""
    return re.sub(r"/[0-9a-f-]{32,36}|/\d+", "/#", path)


def _sign_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS.get(username, "demo-kmp-2026"))
    page.get_by_role("button", name="Masuk").last.click()
    page.wait_for_load_state()


def _open_a_shift(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/cashier")
    if "/shift/open" in page.url:
        page.fill("#opening_float", "0")
        page.get_by_role("button", name="Buka sesi").last.click()
        page.wait_for_load_state()
    page.fill("#scan", "8991001003010")
    page.keyboard.press("Enter")
    page.wait_for_selector(".cart-line")


def _violations(page: Any, axe: str) -> list[str]:
    page.evaluate(axe)
    page.evaluate(f"window.ALWAYS = {json.dumps(ALWAYS)}")
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical' || window.ALWAYS.includes(v.id))"
        ".map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    headings = page.evaluate("document.querySelectorAll('h1').length")
    if headings != 1:
        found.append({"id": "one-h1", "nodes": [f"{headings} h1"]})
    return [f"{v['id']}: {json.dumps(v['nodes'])}" for v in found]


@pytest.mark.parametrize("username", list(ROLES), ids=list(ROLES.values()))
def test_every_kind_of_page_has_no_serious_accessibility_violation(
    browser: Any, live_server: LiveServer, username: str
) -> None:
    axe = _axe_source()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in(page, live_server, username)
        if username == "kasir_pw":
            _open_a_shift(page, live_server)
        queue, seen, kinds = deque(["/"]), set(), set()
        problems: dict[str, list[str]] = {}
        while queue and len(kinds) < KINDS_PER_ROLE:
            path = queue.popleft()
            if path in seen or _kind(path.split("?")[0]) in kinds:
                continue
            seen.add(path)
            answer = page.goto(live_server.url + path)
            if answer is None or answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue
            kinds.add(_kind(urlsplit(page.url).path))
            wrong = _violations(page, axe)
            if wrong:
                problems[urlsplit(page.url).path] = wrong
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/") or SKIP.search(href):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert len(kinds) >= 3, kinds
        assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
    finally:
        context.close()
