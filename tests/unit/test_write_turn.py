"""The outlet node's writers take SQLite's write lock in the order they asked for it, handed over at once."""

from __future__ import annotations

import threading
import time

from pos.core.write_turn import WriteTurn


def _until(condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.001)


def test_writers_get_their_turn_in_the_order_they_asked() -> None:
    turn = WriteTurn()
    assert turn.acquire()
    order: list[int] = []

    def writer(n: int) -> None:
        assert turn.acquire()
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
    assert order == list(range(6)) and turn.waiting == 0
    assert turn.acquire(timeout=0)  # free again


def test_a_writer_that_waited_too_long_leaves_the_queue() -> None:
    turn = WriteTurn()
    assert turn.acquire()
    assert not turn.acquire(timeout=0)
    assert turn.waiting == 0
    turn.release()
    assert turn.acquire(timeout=0)
