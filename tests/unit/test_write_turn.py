"""The outlet node's writers take SQLite's write lock in the order they asked for it, handed over at once, and a
turn is never left taken by a writer that is gone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pos.core.write_turn import WriteTurn


class Owner:
    """Stands for the connection that holds the turn."""


def _until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.001)


def _in_thread(work: Callable[[], object]) -> list[object]:
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join(5)
    return result


def test_writers_get_their_turn_in_the_order_they_asked() -> None:
    turn, first = WriteTurn(), Owner()
    assert turn.acquire(first)
    order: list[int] = []

    def writer(n: int) -> None:
        assert turn.acquire(Owner())
        order.append(n)
        turn.release()

    threads = []
    for n in range(6):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        threads.append(thread)
        _until(lambda n=n: turn.waiting == n + 1)  # type: ignore[misc]
    turn.release()
    for thread in threads:
        thread.join(5)
    assert order == list(range(6)) and turn.waiting == 0 and not turn.held


def test_a_writer_that_waited_too_long_leaves_the_queue() -> None:
    turn, first = WriteTurn(), Owner()
    assert turn.acquire(first)
    assert _in_thread(lambda: turn.acquire(Owner(), timeout_ms=10)) == [False]
    assert turn.waiting == 0
    turn.release()
    assert _in_thread(lambda: turn.acquire(Owner(), timeout_ms=0)) == [True]


def test_a_thread_holding_the_turn_does_not_wait_behind_itself() -> None:
    turn, first = WriteTurn(), Owner()
    assert turn.acquire(first)
    started = time.monotonic()
    assert not turn.acquire(Owner())  # a second connection of the same thread: SQLite's own rules
    assert time.monotonic() - started < 0.1


def test_a_turn_whose_thread_ended_is_passed_over() -> None:
    turn, owner = WriteTurn(), Owner()
    assert _in_thread(lambda: turn.acquire(owner)) == [True]  # taken, and the thread is gone without giving it
    started = time.monotonic()
    assert turn.acquire(Owner(), timeout_ms=2000)
    assert time.monotonic() - started < 1


def test_a_turn_whose_connection_was_dropped_is_passed_over() -> None:
    turn = WriteTurn()
    taken = threading.Event()
    stop = threading.Event()

    def holder() -> None:
        assert turn.acquire(Owner())  # the connection is garbage at once; the thread lives on
        taken.set()
        stop.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    taken.wait(5)
    try:
        assert turn.acquire(Owner(), timeout_ms=2000)
    finally:
        stop.set()
        thread.join(5)


def test_each_database_has_its_own_turn() -> None:
    from pos.core.write_turn import turn_for

    assert turn_for("/a.sqlite3") is turn_for("/a.sqlite3")
    assert turn_for("/a.sqlite3") is not turn_for("/b.sqlite3")
