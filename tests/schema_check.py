"""Shared by the SQLite and PostgreSQL schema tests: migrations and models agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade

from pos.extensions import db
from pos.models.base import compared


def pending_diff(app: Flask) -> list[object]:
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": compared,
                },
            )
            return compare_metadata(context, db.metadata)
