"""INSERT … ON CONFLICT for whichever database this app runs on (SQLite at the outlet, PostgreSQL centrally)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from pos.extensions import db


def insert(model: Any) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def greatest(a: Any, b: Any) -> Any:
    """The larger of two values in an upsert's SET (PostgreSQL's GREATEST, SQLite's two-argument MAX)."""
    from sqlalchemy import func

    dialect = db.session.get_bind().dialect.name
    return func.greatest(a, b) if dialect == "postgresql" else func.max(a, b)
