"""Serving set-up: the start-up heap frozen, SQLite's log checkpointed outside the requests."""

from __future__ import annotations

import gc
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pos import runtime
from pos.extensions import db
from tests.conftest import make_app


def test_settle_heap_freezes_what_start_up_loaded() -> None:
    try:
        runtime.settle_heap()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_the_worker_builds_without_the_collector_and_serves_with_it() -> None:
    """Start-up pauses the garbage collector while the app is built (a quarter of the build was collecting among
    objects that all live on); the worker then serves with it running again, its start-up heap frozen."""
    try:
        runtime.building()
        assert not gc.isenabled()
        runtime.settle_heap()
        assert gc.isenabled() and gc.get_freeze_count() > 10_000
    finally:
        gc.enable()
        gc.unfreeze()


def test_requests_leave_the_log_to_the_background_checkpointer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "wal_autocheckpoint", 1000)
    path = tmp_path / "outlet.sqlite3"
    app = make_app(f"sqlite:///{path}")
    idle, working = threading.Event(), threading.Event()
    try:
        assert runtime.checkpoint_in_background(app, every_ms=3_600_000, stop=idle) is not None
        assert runtime.wal_autocheckpoint == 20_000
        with app.app_context():
            assert db.session.execute(db.text("PRAGMA wal_autocheckpoint")).scalar() == 20_000
            db.session.execute(db.text("CREATE TABLE scratch (n INTEGER, body TEXT)"))
            db.session.commit()
            for n in range(2500):  # about 2,500 pages of log, one commit each, as a day of sales would
                db.session.execute(db.text("INSERT INTO scratch VALUES (:n, :body)"), {"n": n, "body": "x" * 3000})
                db.session.commit()
            db.session.remove()  # the pool keeps its connection open, as a server's does
            wal = Path(f"{path}-wal")
            assert wal.stat().st_size > 2000 * 4096  # no request copied the log back (SQLite would at 1,000 pages)
            before = path.stat().st_size
            runtime.checkpoint_in_background(app, every_ms=20, stop=working)
            deadline = time.monotonic() + 10
            while path.stat().st_size < before + 2000 * 4096 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert path.stat().st_size >= before + 2000 * 4096  # the thread did
            db.engine.dispose()
    finally:
        idle.set()
        working.set()


def test_no_checkpointer_for_a_server_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "wal_autocheckpoint", 1000)
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert runtime.checkpoint_in_background(app) is None
    assert runtime.wal_autocheckpoint == 1000


def test_the_served_app_is_built_from_any_folder(tmp_path, monkeypatch, db_path) -> None:  # type: ignore[no-untyped-def]
    """`gunicorn 'pos.runtime:wsgi()'` needs no project folder (`wsgi:app` does)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("POS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    app = runtime.wsgi()
    assert app.test_client().get("/login").status_code == 200


def test_building_the_app_loads_no_document_printer_or_migration_library(tmp_path: Path) -> None:
    """PDF, Excel, barcode, image and printer libraries load when a document is made, not when a node starts
    (a small board's memory: Pillow alone is about 4 MB); the served app goes without Alembic (11 MB), which
    `kmp-pos serve` loads only to upgrade, without psycopg (9 MB) until central's first push, and without httpx
    (and the rich and pygments it brings, 5 MB) until the node syncs."""
    import os
    import subprocess
    import sys

    def loaded(build: str, names: list[str]) -> str:
        probe = f"import sys; {build}; print([m for m in {names!r} if m in sys.modules])"
        env = {**os.environ, "POS_INSTANCE_PATH": str(tmp_path)}
        found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
        return found.stdout.strip().splitlines()[-1]

    heavy = ["weasyprint", "openpyxl", "barcode", "PIL", "escpos", "zxingcpp"]
    assert loaded("from pos import create_app; create_app()", heavy) == "[]"
    served = [*heavy, "alembic", "flask_migrate", "psycopg", "httpx"]  # central's ingest; the node's sync client
    assert loaded("from pos.runtime import wsgi; wsgi()", served) == "[]"


def _resident_mb() -> float:
    import os

    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_heap_a_request_thread_freed_goes_back_to_the_system() -> None:
    """glibc keeps a thread's freed chunks in its arena when something still lives above them; the worker's trim
    thread gives those pages back (the node held 60–70 MB of such free heap after a minute of eight tills)."""
    if runtime._libc() is None or not Path("/proc/self/statm").exists():
        pytest.skip("needs glibc on Linux (the outlet node's platform)")
    kept: list[bytes] = []

    def busy_request() -> None:  # 60 MB in 6 kB blocks, each followed by a small block that stays
        blocks = []
        for _ in range(10_000):
            blocks.append(b"x" * 6000)
            kept.append(b"k" * 600)
        blocks.clear()

    thread = threading.Thread(target=busy_request)
    thread.start()
    thread.join()
    before = _resident_mb()
    stop = threading.Event()
    try:
        assert runtime.trim_in_background(every_ms=20, stop=stop) is not None
        deadline = time.monotonic() + 5
        while before - _resident_mb() < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert before - _resident_mb() >= 30, (before, _resident_mb())
    finally:
        stop.set()
    assert len(kept) == 10_000


@contextmanager
def _served(folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``kmp-pos serve`` on the instance folder ``folder``, answering ``/login``."""
    import os
    import socket
    import sys

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "POS_INSTANCE_PATH": str(folder), "POS_ROLE": "outlet", "POS_OUTLET_CODE": "SRG-CPR"}
    env.pop("DATABASE_URL", None)
    command = [str(Path(sys.executable).parent / "kmp-pos"), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, answer = time.monotonic() + 60, None
        while answer is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None and answer.status_code == 200
        yield server
    finally:
        server.terminate()
        server.wait(15)


def test_kmp_pos_serve_builds_the_app_in_its_worker_only(tmp_path: Path) -> None:
    """``kmp-pos serve`` on a new folder: the migrations run in a process of their own, the worker builds and
    serves the app, and the master that watches it never loads the application (its 80 MB stayed resident
    beside a worker that copied the pages it touched)."""
    with _served(tmp_path) as server:
        assert (tmp_path / "kmp-pos.sqlite3").exists()  # upgraded from nothing before serving
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(workers) == 1

        def loaded(pid: int | str) -> str:
            return Path(f"/proc/{pid}/maps").read_text()

        assert "sqlalchemy" in loaded(workers[0])  # its compiled extensions: the app is built there
        assert "sqlalchemy" not in loaded(server.pid)
        status = Path(f"/proc/{server.pid}/status").read_text()
        resident_kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])
        assert resident_kb < 50 * 1024, status  # 37 MB here: click, Flask's command line and gunicorn


def test_a_receipt_being_printed_when_the_node_stopped_is_left_for_a_person(db_path: Path, tmp_path: Path) -> None:
    """It may have printed: serving again fails it with a reason, once, for the cashier to reprint or not."""
    import sqlite3
    import uuid

    from pos.models import PrintJob, PrintKind, PrintStatus, Register

    app = make_app(f"sqlite:///{db_path}")
    with app.app_context():
        register = db.session.scalar(db.select(Register).limit(1))
        assert register is not None
        job = PrintJob(
            outlet_id=register.outlet_id, register_id=register.id, kind=PrintKind.TEST, subject_uuid=uuid.uuid4()
        )
        job.status = PrintStatus.SENDING
        db.session.add(job)
        db.session.commit()
        made = job.uuid.hex
        db.engine.dispose()
    with sqlite3.connect(db_path) as source, sqlite3.connect(tmp_path / "kmp-pos.sqlite3") as copy:
        source.backup(copy)  # with what the log still holds
    with _served(tmp_path):
        pass
    with sqlite3.connect(tmp_path / "kmp-pos.sqlite3") as connection:
        status, error = connection.execute("SELECT status, error FROM print_job WHERE uuid = ?", (made,)).fetchone()
    assert (status, error) == ("failed", "interrupted: the node stopped while printing")


def test_the_sync_page_of_a_node_without_central_loads_no_http_client(db_path: Path, tmp_path: Path) -> None:
    """A manager opening /sync on a node that does not sync (yet) reads the outbox; the HTTP client and the
    terminal libraries it brings (rich, pygments: 5 MB of a small board) stay unloaded until the node syncs."""
    import os
    import subprocess
    import sys

    probe = (
        "import sys; from tests.conftest import Client, make_app; "
        f"app = make_app('sqlite:///{db_path}', POS_ROLE='outlet', POS_OUTLET_CODE='SRG-CPR'); "
        "c = Client(app.test_client()); c.login('manajer'); answer = c.get('/sync'); "
        "print(answer.status_code, [m for m in ('httpx', 'rich') if m in sys.modules])"  # pygments: pytest's, loaded by the helpers
    )
    env = {**os.environ, "POS_INSTANCE_PATH": str(tmp_path)}
    root = Path(__file__).resolve().parents[2]
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=root)
    assert found.stdout.strip().splitlines()[-1] == "200 []", found.stdout + found.stderr[-2000:]


_ARENA_TOP = """
import sys, threading
from pathlib import Path
from pos import runtime
if sys.argv[1] == "tuned":
    runtime.limit_malloc_arenas()

def resident_mb():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20

big = bytearray(16 << 20)  # a block with its own mapping, freed: glibc's thresholds rise to 16 and 32 MB
del big

def request():  # 30 MB in 100 kB blocks on a thread's own arena, all freed
    blocks = [bytearray(100_000) for _ in range(300)]
    blocks.clear()

before = resident_mb()
worker = threading.Thread(target=request)
worker.start()
worker.join()
runtime.return_memory()
print(round(resident_mb() - before))
"""


def test_a_thread_arena_gives_back_what_a_busy_request_freed(tmp_path: Path) -> None:
    """Eight tills at full speed left 40 MB free at the top of the worker's second arena for good (glibc's
    raised thresholds; malloc_trim trims only the main arena's top): the node sets fixed thresholds."""
    import os
    import sys

    if runtime._libc() is None or not Path("/proc/self/statm").exists():
        pytest.skip("needs glibc on Linux (the outlet node's platform)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    root = Path(__file__).resolve().parents[2]

    def kept_mb(mode: str) -> int:
        run = subprocess.run(
            [sys.executable, "-c", _ARENA_TOP, mode], capture_output=True, text=True, env=env, cwd=root
        )
        assert run.returncode == 0, run.stderr
        return int(run.stdout.strip())

    assert kept_mb("default") >= 20  # what glibc's own thresholds keep: the case being fixed
    assert kept_mb("tuned") <= 5


def test_a_restarted_node_draws_its_pages_without_compiling_them(tmp_path, monkeypatch, db_path) -> None:  # type: ignore[no-untyped-def]
    """Templates compiled by one run of the node are kept in its instance folder; the next run (after a power cut)
    loads them, and a template whose source changed is compiled again."""
    import jinja2

    monkeypatch.setenv("POS_INSTANCE_PATH", str(tmp_path / "instance"))
    first = make_app(f"sqlite:///{db_path}")
    assert first.test_client().get("/login").status_code == 200
    assert list((tmp_path / "instance" / "compiled-templates").iterdir())

    def no_compiling(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a template was compiled again")

    monkeypatch.setattr(jinja2.Environment, "_parse", no_compiling)
    again = make_app(f"sqlite:///{db_path}")
    page = again.test_client().get("/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)

    original = jinja2.FileSystemLoader.get_source

    def edited(self: jinja2.FileSystemLoader, env: jinja2.Environment, name: str) -> tuple[str, str | None, object]:
        source, filename, uptodate = original(self, env, name)
        return (source + "<!-- edited -->" if name == "auth/login.html" else source), filename, uptodate

    monkeypatch.setattr(jinja2.FileSystemLoader, "get_source", edited)
    with pytest.raises(AssertionError, match="compiled again"):
        make_app(f"sqlite:///{db_path}").test_client().get("/login")
