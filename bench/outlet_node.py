"""The outlet node as deployed, at 100,000 products: memory, start, and scan and pay times with N registers.

    python bench/outlet_node.py [--products 100000] [--registers 1,4,8] [--seconds 10] [--pace 1.0]

Seeds the demo plus ``--products`` products (with stock and reorder levels) into an outlet database, serves it the
way an outlet runs it (``kmp-pos serve``: gunicorn, one worker of ``pos.cli.THREADS`` threads, POS_ROLE=outlet) in
a process of its own, and drives it over HTTP from separate register processes, each a cashier logged in on its own
register: scan five barcodes (htmx, with the cart revision, as the till sends them), open the pay page, pay exact cash.

Phases: start (spawn to the first ``/login``), idle, selling at saturation with each N of ``--registers``, 8
registers at a pace of a scan per ``--pace`` seconds each (on average; each till starts at its own moment),
every manager page, the stock export of every product (CSV and Excel) with one register scanning beside it.
After each phase it prints RSS and PSS of the master and the worker (from /proc/PID/smaps_rollup). The floor
is a bare Flask app served the same way (gunicorn, one worker of as many threads) driven by the same register
processes at the same concurrency; each figure is printed with its ratio to the floor's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench import floor as bare  # noqa: E402

PASSWORD = "bench-kasir-2026"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
REVISION = re.compile(r'data-revision="(\d+)"')
EXACT = re.compile(r'name="cash" value="(\d+)"')
KEY = re.compile(r'name="key" value="([0-9a-f-]{36})"')
# gunicorn closes a connection idle for 2 s; a till that kept one longer (waiting for the phase to start) sent its
# next request into a closing socket ("Server disconnected without sending a response"), as a browser would not.
LIMITS = httpx.Limits(keepalive_expiry=1.0)
SKIPPED = ("/static", "/api", "/sync/pull", "/login", "/stock/export", "/cashier/pay", "/cashier/qris")
EXTRA_PAGES = ("/stock?q=kopi+susu", "/stock?show=low")


def seed(database: Path, products: int, registers: int) -> tuple[list[tuple[str, int]], list[str]]:
    """The demo, ``products`` more products with stock, and a cashier with a register each; returns the
    cashiers' user names and register ids, and every page that takes no argument."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from bench.catalogue import product_rows
    from pos import demo
    from pos.auth.accounts import hash_secret
    from pos.core import clock
    from pos.extensions import db
    from pos.models import Investor, Outlet, Product, Register, ReorderLevel, Role, StockBalance, User
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{database}", strict=False, TESTING=False)
    random.seed(7)
    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        investor_id = db.session.scalar(db.select(Investor.id).where(Investor.code == "SRB"))
        assert outlet is not None and investor_id is not None
        now = clock.now()
        for start in range(0, products, 20_000):
            db.session.execute(
                insert(Product), list(product_rows(start, min(start + 20_000, products), investor_id, 3, now))
            )
        ids = list(db.session.scalars(db.select(Product.id).where(Product.sku.like("BENCH-%"))))
        db.session.execute(
            insert(StockBalance),
            [{"outlet_id": outlet.id, "product_id": pid, "quantity": 10_000} for pid in ids],
        )
        db.session.execute(
            insert(ReorderLevel),
            [{"outlet_id": outlet.id, "product_id": pid, "level": 10, "updated_at": now} for pid in ids[::3]],
        )
        hashed = hash_secret(PASSWORD)
        cashiers = []
        for n in range(1, registers + 1):
            code = f"BENCH-{n}"
            register = Register(outlet_id=outlet.id, code=code, name=f"Kasir bench {n}")
            user = User(username=f"bench{n}", full_name=f"Kasir Bench {n}", role=Role.CASHIER, outlet_id=outlet.id)
            user.password_hash = hashed
            db.session.add_all([register, user])
            db.session.flush()
            cashiers.append((user.username, register.id))
        db.session.commit()
        db.engine.dispose()
    pages = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and not rule.rule.startswith(SKIPPED)
    )
    return cashiers, [*pages, *EXTRA_PAGES]


def _token(page: str) -> str:
    match = TOKEN.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class Register:
    """One till: a cashier signed in on a register, scanning and paying over HTTP as the browser does."""

    def __init__(self, base: str, username: str, register_id: int) -> None:
        self.http = httpx.Client(base_url=base, timeout=60, limits=LIMITS)
        token = _token(self.http.get("/login").text)
        answer = self.http.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 302, answer.text[:300]
        opening = self.http.get("/cashier/shift/open", follow_redirects=True)
        self.token = _token(opening.text)
        if opening.url.path.endswith("/shift/open"):  # else the shift is open from an earlier phase
            opened = self.http.post(
                "/cashier/shift/open", data={"register": register_id, "opening_float": "0", "csrf_token": self.token}
            )
            assert opened.status_code == 303, opened.text[:500]
        self.revision = REVISION.search(self.http.get("/cashier").text)
        self.rev = self.revision.group(1) if self.revision else "0"

    def scan(self, code: str) -> float:
        started = time.perf_counter()
        answer = self.http.post(
            "/cashier/scan",
            data={"code": code, "revision": self.rev, "csrf_token": self.token},
            headers={"HX-Request": "true"},
        )
        took = time.perf_counter() - started
        assert answer.status_code == 200, answer.text[:300]
        found = REVISION.search(answer.text)
        if found:
            self.rev = found.group(1)
        return took

    def pay(self) -> float:
        page = self.http.get("/cashier/pay").text
        key, exact, revision = KEY.search(page), EXACT.search(page), re.search(r'name="revision" value="(\d+)"', page)
        assert key and exact and revision, page[:500]
        started = time.perf_counter()
        answer = self.http.post(
            "/cashier/pay",
            data={"key": key.group(1), "revision": revision.group(1), "cash": exact.group(1), "csrf_token": self.token},
        )
        took = time.perf_counter() - started
        assert answer.status_code == 303, answer.text[:300]
        self.http.get(answer.headers["Location"])
        self.rev = "0"
        return took


def _register_run(args: tuple[str, str, int, float, float, int, Any, Any]) -> None:
    base, username, register_id, seconds, pace, products, go, out = args
    till = Register(base, username, register_id)
    rng = random.Random(register_id)
    from bench.catalogue import barcode

    scans: list[float] = []
    pays: list[float] = []
    go.wait()
    if pace:  # tills are not in step: each starts at its own moment and scans at its own rhythm around the pace
        time.sleep(rng.uniform(0, pace))
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        for _ in range(5):
            due = time.monotonic() + (pace * rng.uniform(0.5, 1.5) if pace else 0)
            scans.append(till.scan(barcode(rng.randrange(products))))
            if pace:
                time.sleep(max(0.0, due - time.monotonic()))
        pays.append(till.pay())
    out.put((scans, pays))


def _floor_run(args: tuple[str, str, int, float, float, int, Any, Any]) -> None:
    base, _username, _register_id, seconds, pace, _products, go, out = args
    http = httpx.Client(base_url=base, timeout=60, limits=LIMITS)
    http.get("/")
    times: list[float] = []
    go.wait()
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        due = time.monotonic() + pace
        started = time.perf_counter()
        http.get("/")
        times.append(time.perf_counter() - started)
        if pace:
            time.sleep(max(0.0, due - time.monotonic()))
    out.put((times, []))


def drive(
    target: Any, base: str, cashiers: list[tuple[str, int]], seconds: float, pace: float, products: int
) -> tuple[list[float], list[float], float]:
    context = multiprocessing.get_context("spawn")
    go, out = context.Event(), context.Queue()
    workers = [
        context.Process(target=target, args=((base, user, reg, seconds, pace, products, go, out),))
        for user, reg in cashiers
    ]
    for worker in workers:
        worker.start()
    time.sleep(2.0 + 0.3 * len(workers))  # each signs in and opens its shift before the clock starts
    go.set()
    started = time.monotonic()
    scans: list[float] = []
    pays: list[float] = []
    for _ in workers:
        s, p = out.get(timeout=seconds + 120)
        scans += s
        pays += p
    elapsed = time.monotonic() - started
    for worker in workers:
        worker.join(30)
    return scans, pays, elapsed


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    if not ordered:
        return (0.0, 0.0, 0.0)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    return (statistics.median(ordered) * 1000, at(0.95), at(0.99))


def memory(pid: int) -> dict[str, int]:
    """RSS and PSS in kB of a process (/proc/PID/smaps_rollup)."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            found[name] = int(rest.split()[0])
    return found


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def show_memory(phase: str, master: int) -> int:
    worker = children(master)
    m = memory(master)
    line = f"  memory after {phase:<28} master RSS {m['Rss'] / 1024:6.1f} MB PSS {m['Pss'] / 1024:6.1f} MB"
    total_rss, total_pss = m["Rss"], m["Pss"]
    for pid in worker:
        w = memory(pid)
        total_rss += w["Rss"]
        total_pss += w["Pss"]
        line += f" | worker RSS {w['Rss'] / 1024:6.1f} MB PSS {w['Pss'] / 1024:6.1f} MB"
    line += f" | node RSS {total_rss / 1024:6.1f} MB PSS {total_pss / 1024:6.1f} MB"
    print(line, flush=True)
    return total_pss


def started_server(command: list[str], env: dict[str, str], port: int, cwd: str | None = None) -> tuple[Any, float]:
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code < 500:
                return process, time.perf_counter() - began
        except httpx.TransportError:
            time.sleep(0.01)
    process.kill()
    raise SystemExit(f"{command[0]} did not answer on port {port}")


# What any app on this stack does before it can answer: start Python, import Flask, SQLAlchemy, WTForms, Babel,
# Flask-Login and Flask-Limiter, declare the models and configure their mappers (the collector paused, as the worker
# builds).
STACK = (
    "import gc; gc.disable(); import flask, sqlalchemy.orm, flask_sqlalchemy, flask_wtf, flask_babel, flask_login, "
    "flask_limiter, pos.models; sqlalchemy.orm.configure_mappers()"
)


def stack_start(env: dict[str, str]) -> float:
    """The fastest of three starts of the stack alone, in seconds."""
    took = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", STACK], env=env, cwd=ROOT, check=True)
        took.append(time.perf_counter() - began)
    return min(took)


def report(name: str, samples: list[float], floor: tuple[float, float, float]) -> None:
    p50, p95, p99 = percentiles(samples)
    print(
        f"  {name:<30} n={len(samples):<6} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  p99 {p99:7.2f} ms"
        f"   p50/floor {p50 / floor[0]:6.1f}x  p99/floor p99 {p99 / floor[2]:6.1f}x",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--registers", default="1,4,8")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between one register's scans")
    args = parser.parse_args()
    counts = [int(n) for n in args.registers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        cashiers, every_page = seed(Path(tmp) / "kmp-pos.sqlite3", args.products, max([*counts, 8]))
        print(f"seeded the demo and {args.products:,} products in {time.perf_counter() - started:.1f} s", flush=True)
        port, floor_port = bare.free_port(), bare.free_port()
        env = {**os.environ, "POS_INSTANCE_PATH": tmp, "POS_ROLE": "outlet", "POS_OUTLET_CODE": "SRG-CPR"}
        env["POS_RATELIMIT"] = "false"  # eight tills sign in from one address within a second
        # a node as installed keeps its compiled modules (this machine's shell forbids writing them)
        for name in ("DATABASE_URL", "POS_CENTRAL_URL", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        node, start_time = started_server(
            [str(BIN / "kmp-pos"), "serve", "--host", "127.0.0.1", "--port", str(port)], env, port
        )
        floor_server, _ = started_server(
            bare.command(tmp, floor_port),
            env,
            floor_port,
            cwd=tmp,
        )
        base, floor_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{floor_port}"
        try:
            print(f"start: spawn to the first /login answer {start_time:.2f} s (kmp-pos serve, migrations checked)")
            print(f"  the stack alone: {stack_start(env):.2f} s (Python, its libraries, the models and their mappers)")
            show_memory("start", node.pid)
            peak = 0
            for n in counts:
                floor_samples, _, _ = drive(_floor_run, floor_base, cashiers[:n], args.seconds, 0, args.products)
                floor = percentiles(floor_samples)
                scans, pays, elapsed = drive(_register_run, base, cashiers[:n], args.seconds, 0, args.products)
                print(
                    f"{n} register(s) at saturation: {len(pays) / elapsed:.1f} sales/s, floor p50 {floor[0]:.2f} ms"
                    f" p99 {floor[2]:.2f} ms"
                )
                report("scan", scans, floor)
                report("pay (complete a 5-line sale)", pays, floor)
                peak = max(peak, show_memory(f"{n} register(s) selling", node.pid))
            floor_samples, _, _ = drive(_floor_run, floor_base, cashiers[:8], args.seconds * 2, args.pace, 0)
            floor = percentiles(floor_samples)
            scans, pays, elapsed = drive(_register_run, base, cashiers[:8], args.seconds * 2, args.pace, args.products)
            print(f"8 registers, a scan every {args.pace:g} s each: floor p50 {floor[0]:.2f} ms p99 {floor[2]:.2f} ms")
            report("scan", scans, floor)
            report("pay (complete a 5-line sale)", pays, floor)
            peak = max(peak, show_memory("8 registers at a pace", node.pid))
            manager = httpx.Client(base_url=base, timeout=120, limits=LIMITS)
            token = _token(manager.get("/login").text)
            signed = manager.post(
                "/login", data={"username": "manajer", "password": "demo-kmp-2026", "csrf_token": token}
            )
            assert signed.status_code == 302, signed.text[:300]
            pages: dict[str, float] = {}
            refused = []
            for url in every_page:
                began = time.perf_counter()
                status = manager.get(url).status_code
                assert status < 500, (url, status)
                if status == 200:
                    pages[url] = (time.perf_counter() - began) * 1000
                else:
                    refused.append(f"{url} {status}")
            slowest = sorted(pages.items(), key=lambda item: -item[1])[:6]
            print(
                f"manager: {len(pages)} pages read in {sum(pages.values()):.0f} ms, slowest "
                + ", ".join(f"{u} {t:.0f} ms" for u, t in slowest)
                + f" ({len(refused)} not the manager's: {', '.join(refused)})"
            )
            peak = max(peak, show_memory("every manager page", node.pid))
            exports(manager, base, cashiers[0], args.products, node.pid)
            show_memory("the exports", node.pid)
            time.sleep(3)
            show_memory("3 s later", node.pid)
        finally:
            for process in (node, floor_server):
                process.terminate()
                process.wait(10)


def _scanning(till: Register, rng: random.Random, products: int, stop: threading.Event, scans: list[float]) -> None:
    from bench.catalogue import barcode

    while not stop.is_set():
        scans.append(till.scan(barcode(rng.randrange(products))))
        time.sleep(0.05)


def exports(manager: httpx.Client, base: str, cashier: tuple[str, int], products: int, master: int) -> None:
    """Each stock export of every product, with one register scanning beside it; the node's peak memory."""
    worker = children(master)[0]
    peak = {"Rss": 0, "Pss": 0}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            m, w = memory(master), memory(worker)
            for kind in peak:
                peak[kind] = max(peak[kind], m[kind] + w[kind])
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    till = Register(base, cashier[0], cashier[1])
    from bench.catalogue import barcode

    rng = random.Random(3)
    quiet = [till.scan(barcode(rng.randrange(products))) for _ in range(40)]
    for fmt in ("csv", "xlsx"):
        scans: list[float] = []
        stop = threading.Event()
        scanner = threading.Thread(target=_scanning, args=(till, rng, products, stop, scans))
        scanner.start()
        time.sleep(0.2)
        began = time.perf_counter()
        with manager.stream("GET", f"/stock/export?format={fmt}") as answer:
            assert answer.status_code == 200
            first = None
            size = 0
            for chunk in answer.iter_bytes():
                if first is None:
                    first = time.perf_counter() - began
                size += len(chunk)
        total = time.perf_counter() - began
        stop.set()
        scanner.join()
        q = percentiles(quiet)
        p = percentiles(scans)
        print(
            f"export {fmt}: first byte {first or 0:.2f} s, all {size / 1e6:.1f} MB in {total:.1f} s;"
            f" scans beside it n={len(scans)} p50 {p[0]:.1f} ms p99 {p[2]:.1f} ms (alone: p50 {q[0]:.1f} p99"
            f" {q[2]:.1f} ms)",
            flush=True,
        )
    done.set()
    watcher.join()
    rss, pss = peak["Rss"] / 1024, peak["Pss"] / 1024
    print(f"  peak node during the exports              RSS {rss:6.1f} MB PSS {pss:6.1f} MB")


if __name__ == "__main__":
    main()
