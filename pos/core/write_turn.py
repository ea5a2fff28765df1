"""Writers of this process take SQLite's one write lock in the order they asked for it.

SQLite lets a writer that finds the lock taken sleep and retry (1, 2, 5 … 100 ms at a time): under a busy shop a
scan that asked first can wait behind later ones, and a lock freed after 2 ms is noticed 50 ms later. The outlet
node is one process with threads, so its writers queue here instead and each is handed the lock the moment the
one before it commits or rolls back. (Another process — a command line run beside the server — still meets
SQLite's own waiting.)
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from typing import Any

WAIT_SECONDS = 10  # as long as SQLite's busy timeout; then the writer goes on and waits SQLite's way


class WriteTurn:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = False
        self._queue: deque[threading.Event] = deque()

    def acquire(self, timeout: int = WAIT_SECONDS) -> bool:
        with self._lock:
            if not self._held and not self._queue:
                self._held = True
                return True
            waiter = threading.Event()
            self._queue.append(waiter)
        if waiter.wait(timeout):
            return True
        with self._lock:
            if waiter.is_set():  # handed over as the wait ran out
                return True
            self._queue.remove(waiter)
            return False

    def release(self) -> None:
        with self._lock:
            if self._queue:
                self._queue.popleft().set()  # straight to the next in line: the turn stays taken
            else:
                self._held = False

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._queue)


TURN = WriteTurn()


class TurnConnection(sqlite3.Connection):
    """A SQLite connection that gives the write turn back as soon as its transaction ends."""

    pos_has_turn = False

    def take_turn(self) -> None:
        if not self.pos_has_turn:
            self.pos_has_turn = TURN.acquire()

    def _give_back(self) -> None:
        if self.pos_has_turn:
            self.pos_has_turn = False
            TURN.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()


def take_turn(dbapi_connection: Any) -> None:
    if isinstance(dbapi_connection, TurnConnection):
        dbapi_connection.take_turn()
