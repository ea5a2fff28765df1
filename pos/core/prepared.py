"""Statements built once per process for the cashier's hot path.

Building a SQLAlchemy statement and its cache key costs about as much as running it on SQLite; a statement
kept at module level with bind parameters skips both on every request after the first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pos.extensions import db

T = TypeVar("T")


def per_dialect(build: Callable[[], T]) -> Callable[[], T]:
    """A statement that depends on the database kind (INSERT … ON CONFLICT), built once for each."""
    built: dict[str, Any] = {}

    @functools.wraps(build)
    def get() -> T:
        dialect = db.session.get_bind().dialect.name
        statement = built.get(dialect)
        if statement is None:
            statement = built[dialect] = build()
        return statement  # type: ignore[no-any-return]

    return get
