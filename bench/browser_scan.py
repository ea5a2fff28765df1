"""Scanner Enter -> the new cart line on screen, measured inside Chromium.

    python bench/browser_scan.py [--scans 60]

Serves the demo as deployed (`kmp-pos demo`: gunicorn, 1 worker x `pos.cli.THREADS`, SQLite) in a process of its own and
drives headless Chromium at 1280x800. The time is taken in the page: from the Enter keydown to the mutation that
shows the new line. The floor is a bare Flask page served the same way (gunicorn, 1 worker x as many threads) and
fetched with fetch() by the same browser, each fetch after the same pause as each scan (a server idle for a quarter
of a second answers its next request slower than one answering back to back: here 3.9 ms against 2.9 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench import floor as bare  # noqa: E402

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
# The scan request's own round trip (request sent to last byte received), from the browser's resource timing.
WAIT = """() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('/cashier/scan')).pop().duration"""
PAUSE = 0.25  # s between one scan (or floor fetch) and the next, as a cashier's next item comes
FETCH = "async u => { const t = performance.now(); await fetch(u); return performance.now() - t; }"


def started(command: list[str], env: dict[str, str], port: int, cwd: str | None = None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 500:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{command[0]} did not answer on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=60)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        port, floor_port = bare.free_port(), bare.free_port()
        env = {**os.environ, "POS_INSTANCE_PATH": tmp, "POS_ROLE": "all"}
        env.pop("DATABASE_URL", None)
        node = started([str(BIN / "kmp-pos"), "demo", "--host", "127.0.0.1", "--port", str(port)], env, port)
        floor_server = started(
            bare.command(tmp, floor_port),
            env,
            floor_port,
            cwd=tmp,
        )
        base, floor_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{floor_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            # the probe is injected script, which the node's Content-Security-Policy would refuse
            page = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
            page.goto(floor_base + "/")
            back_to_back = [page.evaluate(FETCH, floor_base + "/") for _ in range(args.scans)]
            floors = []
            for _ in range(args.scans):
                time.sleep(PAUSE)  # as still as before each scan: a core idle that long answers slower
                floors.append(page.evaluate(FETCH, floor_base + "/"))
            page.goto(base + "/login")
            page.get_by_role("link", name="Siti Rahmawati").click()
            for digit in "1234":
                page.locator(f".keypad [data-key='{digit}']").click()
            page.get_by_role("button", name="OK").click()
            page.fill("#opening_float", "0")
            page.get_by_role("button", name="Buka sesi").last.click()
            page.wait_for_selector("#scan")
            times: list[float] = []
            waits: list[float] = []
            for n in range(args.scans):
                if n % 10 == 0:
                    page.goto(base + "/cashier")
                    page.wait_for_selector("#scan")
                page.evaluate(PROBE)
                page.keyboard.type(CODES[n % len(CODES)], delay=2)
                page.keyboard.press("Enter")
                time.sleep(PAUSE)  # the harness keeps still (no CDP traffic) while the scan is on its way
                page.wait_for_function("window.__scanTime !== undefined")
                times.append(page.evaluate("window.__scanTime"))
                waits.append(page.evaluate(WAIT))
            browser.close()
        for process in (node, floor_server):
            process.terminate()
            process.wait(10)
    floor = statistics.median(floors)
    times.sort()
    median = statistics.median(times)
    print(
        f"floor: fetch of a bare Flask page (gunicorn)  median {floor:6.1f} ms, each after a {PAUSE:g} s pause"
        f" as a scan (back to back: {statistics.median(back_to_back):.1f} ms)"
    )
    print(f"   of which the scan request's round trip     median {statistics.median(waits):6.1f} ms")
    p90 = times[int(len(times) * 0.9)]
    print(
        f"scanner Enter -> cart line on screen          median {median:6.1f} ms   p90 {p90:6.1f} ms   max"
        f" {times[-1]:6.1f} ms   median/floor {median / floor:5.1f}x"
    )


if __name__ == "__main__":
    main()
