"""One transaction per request, settled once at the edge.

Operations only flush. A view wraps an operation it may refuse in ``attempt()``, so a refusal undoes the
request's writes before the form is shown again. When the view has answered, a success (a status
below 400) commits what the request flushed and anything else rolls it all back, so a refused request never
leaves half a write behind. Views never commit.

Two exceptions are explicit:
- ``pos.core.transaction.keep(work)``: a record that must outlive a refusal (a wrong password or PIN counts
  against the account although the answer is 401 or 403) runs after the request is settled and is committed
  on its own.
- ``retrying(work)``: a write that may lose a race with another request (central's push of events another
  push is storing); it is committed here and run again after a conflict.

A read (GET or HEAD) writes nothing; with ``POS_STRICT_READS`` (on in tests) a read that flushes a change
is an error, except the sync pull, which stores the cursor the outlet has reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from pos.core.transaction import kept
from pos.extensions import db

T = TypeVar("T")
READS = frozenset({"GET", "HEAD", "OPTIONS"})
READS_THAT_RECORD = frozenset({"sync.pull", "sync.standing"})


class Busy(Exception):
    """The write lost its race every time it was tried."""


@contextmanager
def attempt() -> Iterator[None]:
    """``with attempt():`` around an operation a view may refuse to complete: a ``PosError`` (or any error)
    inside rolls the request's writes back before the view shows the form again — the request is refused, so
    nothing of it may stay. (A rollback on refusal, not a savepoint on every try: the till's sale path pays
    nothing for it.)"""
    try:
        yield
    except Exception:
        db.session.rollback()
        raise


def retrying(work: Callable[[], T], attempts: int = 4) -> T:
    for tried in range(1, attempts + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            current_app.logger.warning("write retried after %s", str(exc).splitlines()[0][:300])
            if tried == attempts:
                raise Busy from exc
    raise AssertionError("unreachable")


def _settle(response: Any) -> Any:
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    later = kept()
    if later:
        for work in later:
            work()
        db.session.commit()
    g.settled = True
    draw = getattr(response, "draw", None)
    if draw is not None:  # a fragment drawn after the commit (pos.web.htmx.render): what it reads, it reads
        response.set_data(draw())
    return response


def settled() -> bool:
    return has_request_context() and bool(g.get("settled"))


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _note_write(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if not has_request_context() or request.method not in READS or request.endpoint in READS_THAT_RECORD:
        return
    if current_app.config.get("POS_STRICT_READS") and statement.lstrip().upper().startswith(_WRITES):
        raise AssertionError(f"{request.method} {request.path} writes inside a read: {statement[:80]}")


def register(app: Flask) -> None:
    app.after_request(_settle)
    if app.config.get("POS_STRICT_READS") and not event.contains(Engine, "before_cursor_execute", _note_write):
        event.listen(Engine, "before_cursor_execute", _note_write)
