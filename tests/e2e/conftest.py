"""A real server on a free port and headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app, need

CHROMIUM = os.environ.get("POS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        """The outlet node goes away (restarted, unplugged): nothing listens on its port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def start(self) -> None:
        """The node is back, on the same address, with the same database."""
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def live_server(template_db: Path, tmp_path: Path) -> Iterator[LiveServer]:
    from pos.extensions import db

    path = tmp_path / "live.sqlite3"
    shutil.copyfile(template_db, path)
    app = make_app(f"sqlite:///{path}", TESTING=False)
    with LiveServer(app) as server:
        yield server
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=[(1280, 800), (800, 1280)], ids=["landscape", "portrait"])
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def pin_login(page: Any, server: LiveServer, name: str = "Siti Rahmawati", pin: str = "1234") -> None:
    page.goto(server.url + "/login?outlet=SRG-CPR")
    page.get_by_role("link", name=name).click()
    page.wait_for_url("**/login/pin/**")
    page.wait_for_load_state("load")
    for digit in pin:
        page.locator(f".keypad [data-key='{digit}']").click()
    page.get_by_role("button", name="OK").click()
