"""PostgreSQL fixtures: a fresh database per test module on the server in POS_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import make_app, need


def _server_url() -> str | None:
    return os.environ.get("POS_TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    base = _server_url()
    need(base is not None, "set POS_TEST_DATABASE_URL to a PostgreSQL server to run these tests")
    assert base is not None
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"kmp_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(admin, autocommit=True)
    except psycopg.OperationalError as exc:
        need(False, f"PostgreSQL at POS_TEST_DATABASE_URL is not reachable: {exc}")
        raise
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        autovacuum = conn.execute("SHOW autovacuum").fetchone()
    test_url = url.set(drivername="postgresql+psycopg", database=name)
    if autovacuum and autovacuum[0] == "off":
        # Without the autovacuum daemon no table is ever analysed, so a connection's foreign-key checks keep the
        # plan made while the tables were empty (any index starting with outlet_id will do) and a long push
        # grows quadratic. Production keeps autovacuum on (README); here every plan is made for the rows at hand.
        test_url = test_url.update_query_dict({"options": "-c plan_cache_mode=force_custom_plan"})
    yield test_url.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_app(pg_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from pos import demo
    from pos.extensions import db
    from tests.conftest import seed_other_outlet

    app = make_app(pg_url, POS_ROLE="central")
    with app.app_context():
        upgrade()
        demo.seed()
        seed_other_outlet()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()
