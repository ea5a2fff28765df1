"""Writers of this process take a SQLite database's one write lock in the order they asked for it.

SQLite lets a writer that finds the lock taken sleep and retry (1, 2, 5 … 100 ms at a time): under a busy shop a
scan that asked first can wait behind later ones, and a lock freed after 2 ms is noticed up to 100 ms later. The
outlet node is one process with threads, so its writers queue here instead, one queue per database file, and each
is handed the turn the moment the one before it commits, rolls back or closes. (Another process — a command line
run beside the server — still meets SQLite's own waiting.)

A turn can never stay taken for good: a holder whose connection was dropped without closing, or whose thread has
ended, is passed over; a writer that has waited as long as SQLite's busy timeout goes on and waits SQLite's way;
a thread that already holds the turn through another connection does not queue behind itself.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import deque
from typing import Any

WAIT_MS = 10_000  # as long as SQLite's busy timeout
LOOK_MS = 250  # how often a waiter checks that the holder is still there


class WriteTurn:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: tuple[weakref.ref[Any], weakref.ref[threading.Thread]] | None = None
        self._queue: deque[tuple[threading.Event, Any]] = deque()

    def acquire(self, owner: Any, timeout_ms: int = WAIT_MS) -> bool:
        thread = threading.current_thread()
        with self._lock:
            if self._holder is not None and self._holder[1]() is thread:
                return False  # this thread holds it through another connection: SQLite decides
            if self._holder is None and not self._queue:
                self._hold(owner, thread)
                return True
            waiter = threading.Event()
            entry = (waiter, (weakref.ref(owner), weakref.ref(thread)))
            self._queue.append(entry)
        waited = 0
        while waited < timeout_ms:
            look = min(LOOK_MS, timeout_ms - waited)
            if waiter.wait(look / 1000):
                return True
            waited += look
            with self._lock:
                if waiter.is_set():
                    return True
                if self._holder is not None and not _alive(self._holder):
                    self._pass_on()
        with self._lock:
            if waiter.is_set():  # handed over as the wait ran out
                return True
            self._queue.remove(entry)
            return False

    def release(self) -> None:
        with self._lock:
            self._pass_on()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def held(self) -> bool:
        with self._lock:
            return self._holder is not None

    def _hold(self, owner: Any, thread: threading.Thread) -> None:
        self._holder = (weakref.ref(owner), weakref.ref(thread))

    def _pass_on(self) -> None:
        """Hand the turn to the first waiter still there (caller holds ``_lock``)."""
        self._holder = None
        while self._queue:
            waiter, holder = self._queue.popleft()
            if _alive(holder):
                self._holder = holder
                waiter.set()
                return


def _alive(holder: tuple[weakref.ref[Any], weakref.ref[threading.Thread]]) -> bool:
    connection, thread = holder[0](), holder[1]()
    return connection is not None and thread is not None and thread.is_alive()


_turns: dict[str, WriteTurn] = {}
_turns_lock = threading.Lock()


def turn_for(database: str) -> WriteTurn:
    with _turns_lock:
        return _turns.setdefault(database, WriteTurn())


class TurnConnection(sqlite3.Connection):
    """A SQLite connection that queues for its database's write turn and gives it back when its transaction
    ends."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.pos_turn = turn_for(str(database))
        self.pos_has_turn = False
        self.pos_changes_at_begin = -1

    def take_turn(self) -> None:
        self.pos_changes_at_begin = self.total_changes
        if not self.pos_has_turn:
            self.pos_has_turn = self.pos_turn.acquire(self)

    def give_back(self) -> None:
        if self.pos_has_turn:
            self.pos_has_turn = False
            self.pos_turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_back()


def take_turn(dbapi_connection: Any) -> None:
    if isinstance(dbapi_connection, TurnConnection):
        dbapi_connection.take_turn()


def give_back(dbapi_connection: Any) -> None:
    if isinstance(dbapi_connection, TurnConnection):
        dbapi_connection.give_back()


def end_if_unwritten(session: Any) -> None:
    """End a SQLite write transaction that has written nothing yet (no pending ORM change, no row changed since
    it began), so that its lock and turn are not held through slow work that writes nothing (hashing a PIN); the
    next statement begins a new one. Anything else is left as it is."""
    if session.new or session.dirty or session.deleted or not session.in_transaction():
        return
    if session.get_bind().dialect.name != "sqlite":
        return
    raw = session.connection().connection.dbapi_connection
    if isinstance(raw, TurnConnection) and raw.pos_changes_at_begin == raw.total_changes:
        session.rollback()
