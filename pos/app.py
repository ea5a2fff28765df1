"""The Flask application: configuration, extensions, SQLite connection set-up, blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from pos import config, runtime
from pos.core import write_turn
from pos.extensions import babel, csrf, db, htmx, limiter, login_manager
from pos.web import transaction

ROOT = Path(__file__).resolve().parent.parent
# Cart edits commit without waiting for the disk (WAL stays consistent; a power cut may forget the
# last few scans). Sales, refunds, shifts and everything else wait for the disk (synchronous=FULL).
CART_EDITS = frozenset(
    {
        "cashier.scan",
        "cashier.add",
        "cashier.line_quantity",
        "cashier.line_remove",
        "cashier.line_discount",
        "cashier.sale_discount",
        "cashier.clear",
    }
)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event choose BEGIN or BEGIN IMMEDIATE (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute(f"PRAGMA wal_autocheckpoint={runtime.wal_autocheckpoint}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    if conn.dialect.name != "sqlite":
        return
    # A write request takes the write lock up front, so that a read-then-write transaction
    # waits its turn instead of failing with "database is locked" half way. Decided from the request itself:
    # an export's rows are read as its answer streams, after the view (and any state it set) has returned.
    writes, cart_edit = _writes()
    if writes:
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL" if cart_edit else "PRAGMA synchronous=FULL")
        raw = conn.connection.dbapi_connection
        write_turn.take_turn(raw)  # this process's writers, in the order they came (pos.core.write_turn)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            write_turn.give_back(raw)
            raise
    else:
        conn.exec_driver_sql("BEGIN")


def _writes() -> tuple[bool, bool]:
    """(whether this transaction may write, whether it is a cart edit). Outside a request (the command line, the
    sync worker) everything may write; a read (GET) writes nothing, except the sync pull, which records the
    outlet's cursor."""
    if not has_request_context():
        return True, False
    if transaction.settled():
        return False, False
    writes = request.method not in {"GET", "HEAD", "OPTIONS"} or request.endpoint == "sync.pull"
    return writes, request.endpoint in CART_EDITS


def get_locale() -> str:
    from flask import has_request_context

    if not has_request_context():
        return _default_language()
    if current_user and current_user.is_authenticated and current_user.language:
        return current_user.language
    chosen = session.get("lang")
    if chosen in config.LANGUAGES:
        return chosen
    return _default_language()


def _default_language() -> str:
    from flask import current_app

    return current_app.config["BABEL_DEFAULT_LOCALE"]


def use_migrations(app: Flask) -> None:
    """Flask-Migrate on this app, for upgrades and the ``db`` commands. A served app goes without it: Alembic is
    11 MB a process keeps for nothing (``kmp-pos serve`` adds it only when the database needs an upgrade)."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    Migrate(compare_type=True, render_as_batch=True).init_app(app, db, directory=str(ROOT / "migrations"))


def create_app(overrides: dict[str, Any] | None = None, *, migrations: bool = True) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(config.instance_path()),
        instance_relative_config=True,
    )
    app.config.update(config.DEFAULTS)
    app.config.update(config.from_environment(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # A server database can drop idle connections; a local SQLite file cannot.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    else:
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"factory": write_turn.TurnConnection, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")

    db.init_app(app)
    if migrations:
        use_migrations(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=get_locale, timezone_selector=lambda: "UTC")
    login_manager.init_app(app)

    from pos.web import register

    register(app)
    from pos.sync import changes

    changes.track_once()

    from pos.web import headers

    app.after_request(headers.secure)

    from pos import cli

    cli.register(app)
    return app
