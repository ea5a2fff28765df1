"""Process set-up for serving: the heap and SQLite's write-ahead log kept out of the cashier's way."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import sqlite3
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

# Pages the write-ahead log may reach before the request that commits copies it into the database file
# (SQLite's default is 1,000). A server raises it once a background checkpointer keeps the log short.
wal_autocheckpoint = 1000


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # glibc's mallopt parameters
TRIM_THRESHOLD = 1 << 20  # free space an arena's top keeps before it is given back
MMAP_THRESHOLD = 4 << 20  # blocks this large get their own mapping, returned whole when freed


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, macOS): nothing to tune
        return None


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Let the worker's threads share two malloc arenas instead of one each (glibc makes up to eight per core):
    each arena keeps what its thread freed, so eight request threads grew the node by tens of MB that were
    never used again; and what an arena keeps free is bounded (below). Called before gunicorn forks;
    ``MALLOC_ARENA_MAX``, ``MALLOC_TRIM_THRESHOLD_`` and ``MALLOC_MMAP_THRESHOLD_`` in the environment win."""
    libc = _libc()
    if libc is None:
        return
    if "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(M_ARENA_MAX, arenas)
    # glibc raises both thresholds to twice the largest block freed from its own mapping (up to 32 MB), and a
    # thread's arena then keeps that much free at its top for good: malloc_trim gives back only the main
    # arena's top. Fixed thresholds keep the eight tills' worker 35–40 MB smaller after a busy minute.
    tuned = os.environ.get("GLIBC_TUNABLES", "")
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ and "trim_threshold" not in tuned:
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ and "mmap_threshold" not in tuned:
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def return_memory() -> None:
    """Give freed heap back to the system after a large response (an export of 100,000 rows)."""
    libc = _libc()
    if libc is not None:
        gc.collect()
        libc.malloc_trim(0)


def trim_in_background(every_ms: int = 2000, stop: threading.Event | None = None) -> threading.Thread | None:
    """Give the heap that request threads freed back to the system every ``every_ms`` milliseconds.

    glibc keeps what a thread freed inside its arena for reuse, and only the top of an arena is ever returned by
    itself: after a minute of eight tills selling, the worker held 60–70 MB of free chunks (``malloc_info``) in
    a resident set of 140 MB. ``malloc_trim`` releases the free pages wherever they lie; it runs outside the GIL
    and takes a few milliseconds."""
    libc = _libc()
    if libc is None:
        return None
    halt = stop or threading.Event()

    def loop() -> None:
        while not halt.wait(every_ms / 1000):
            libc.malloc_trim(0)

    thread = threading.Thread(target=loop, name="kmp-trim", daemon=True)
    thread.start()
    return thread


def building() -> None:
    """Before the served app is built: the collector waits until :func:`settle_heap` (start-up allocates some
    200,000 objects that all live on; collecting among them as they are made was a quarter of the build)."""
    gc.disable()


def settle_heap() -> None:
    """Put everything loaded at start-up beyond the garbage collector's reach.

    A full collection otherwise walks the whole start-up heap (about 200,000 objects: Flask, SQLAlchemy,
    Babel, the templates), which stalled one cashier request in a few hundred by about 100 ms. Called once the
    app is built, before gunicorn forks its workers, so the workers also share those pages.
    """
    gc.collect()
    gc.freeze()
    gc.enable()


def checkpoint_in_background(
    app: Flask, every_ms: int = 1000, stop: threading.Event | None = None
) -> threading.Thread | None:
    """Copy the write-ahead log into the SQLite file from a thread of its own, every ``every_ms`` milliseconds.

    Otherwise the commit that crosses SQLite's threshold does it (and syncs the file) inside a cashier's
    request: a few milliseconds on one sale in every few dozen. A passive checkpoint never blocks readers or
    writers. Requests still checkpoint at 20,000 pages should the thread ever stop.
    """
    from sqlalchemy.engine import make_url

    global wal_autocheckpoint
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    wal_autocheckpoint = 20_000
    path = url.database

    halt = stop or threading.Event()

    def loop() -> None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=10000")
        while not halt.wait(every_ms / 1000):
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:  # a busy file or a full disk: try again next time
                log.warning("background checkpoint failed: %s", exc)
        connection.close()

    thread = threading.Thread(target=loop, name="kmp-checkpoint", daemon=True)
    thread.start()
    return thread


def prepare_wsgi(app: Flask) -> None:
    """For `gunicorn wsgi:app`: settle the heap and keep a checkpointer in every worker, whether gunicorn
    imports this module in each worker or once before forking them (--preload)."""
    limit_malloc_arenas()
    settle_heap()

    def keep_house() -> None:
        checkpoint_in_background(app)
        trim_in_background()

    keep_house()
    os.register_at_fork(after_in_child=keep_house)


def wsgi() -> Flask:
    """The served application from any folder: ``gunicorn 'pos.runtime:wsgi()'`` (``wsgi:app`` needs the project
    folder)."""
    from pos import create_app

    building()
    app = create_app(migrations=False)
    prepare_wsgi(app)
    return app
