"""Scanner Enter -> the new cart line on screen, measured inside Chromium.

    python bench/browser_scan.py [--scans 40]

Runs the demo on a real HTTP server (werkzeug, threaded) and drives headless Chromium at 1280x800.
The time is taken in the page: from the Enter keydown to the mutation that shows the new line.
The floor is a bare Flask page fetched with fetch() by the same browser.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tests.conftest import make_app  # noqa: E402

CODES = ["8991001003010", "8992002001012", "8991001002013", "8991001003027", "8991001003034"]
PROBE = """
() => {
  window.__scanTime = undefined;
  const scan = document.getElementById('scan');
  let t0 = 0;
  const observer = new MutationObserver(() => {
    const total = document.getElementById('cart-total');
    if (t0 && total && total.dataset.seen !== total.innerText) {
      observer.disconnect();
      window.__scanTime = performance.now() - t0;
    }
  });
  const total = document.getElementById('cart-total');
  total.dataset.seen = total.innerText;
  observer.observe(document.querySelector('main'), {childList: true, subtree: true, characterData: true});
  const mark = e => { if (e.key === 'Enter') t0 = performance.now(); };
  scan.addEventListener('keydown', mark, {capture: true});
}
"""
FETCH = "async u => { const t = performance.now(); await fetch(u); return performance.now() - t; }"


def serve(app: Flask) -> tuple[object, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=40)
    args = parser.parse_args()
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    from pos import demo
    from pos.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", strict=False, TESTING=False)
        with app.app_context():
            upgrade()
            demo.seed()
            db.session.commit()
        floor_app = Flask("floor")
        floor_app.add_url_rule("/", "ok", lambda: "ok")
        server, base = serve(app)
        floor_server, floor_base = serve(floor_app)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(floor_base + "/")
            floors = [
                page.evaluate(
                    "async u => { const t = performance.now(); await fetch(u); return performance.now() - t; }",
                    floor_base + "/",
                )
                for _ in range(50)
            ]
            page.goto(base + "/login")
            page.get_by_role("link", name="Siti Rahmawati").click()
            for digit in "1234":
                page.locator(f".keypad [data-key='{digit}']").click()
            page.get_by_role("button", name="OK").click()
            page.fill("#opening_float", "0")
            page.get_by_role("button", name="Buka sesi").last.click()
            page.wait_for_selector("#scan")
            times = []
            for n in range(args.scans):
                if n % 10 == 0:
                    page.goto(base + "/cashier")
                    page.wait_for_selector("#scan")
                page.evaluate(PROBE)
                page.keyboard.type(CODES[n % len(CODES)], delay=2)
                page.keyboard.press("Enter")
                page.wait_for_function("window.__scanTime !== undefined")
                times.append(page.evaluate("window.__scanTime"))
            browser.close()
        server.shutdown()  # type: ignore[attr-defined]
        floor_server.shutdown()  # type: ignore[attr-defined]
    floor = statistics.median(floors)
    times.sort()
    median = statistics.median(times)
    print(f"floor: fetch of a bare Flask page       median {floor:6.1f} ms")
    print(
        f"scanner Enter -> cart line on screen    median {median:6.1f} ms   p90 {times[int(len(times) * 0.9)]:6.1f} ms"
        f"   median/floor {median / floor:5.1f}x"
    )


if __name__ == "__main__":
    main()
