"""Shared fixtures: a migrated, seeded SQLite template copied for each test; a CSRF-aware client."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.timeline import MOMENTS, Moment, Timeline, session_moment

TEST_SECRET = "test-secret-key-not-for-production"
IN_CI = os.environ.get("CI", "").lower() == "true"

os.environ.setdefault("POS_INSTANCE_PATH", "/tmp/kmp-pos-test-instance")


def need(condition: bool, reason: str) -> None:
    """Skip on a developer machine without the thing; fail under CI=true, where it must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def make_app(database_url: str, *, strict: bool = True, **extra: Any) -> Flask:
    """An app for tests; ``strict`` (tests) makes a read that writes, and an outbox event that does not match its
    schema, an error; benchmarks pass ``strict=False`` to measure what production runs."""
    from pos import create_app

    overrides = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "POS_STRICT_READS": strict,
        "POS_STRICT_EVENTS": strict,
        "POS_ROLE": "all",
        "POS_OUTLET_CODE": None,
    }
    overrides.update(extra)
    return create_app(overrides)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        default=None,
        help="run as of this date or WIB date and time (2028-02-29, 2026-12-31T23:59); default POS_TEST_TODAY, "
        "else the real date",
    )
    parser.addoption(
        "--moments",
        default=None,
        help="for tests marked `dates`: which moments to run at, comma-separated ids (today,leap-day,...); "
        "default all of tests.timeline.MOMENTS and today",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `dates` run at the suite's moment and at each of tests.timeline.MOMENTS."""
    if metafunc.definition.get_closest_marker("dates") and "moment" in metafunc.fixturenames:
        every = ["today", *(m.id for m in MOMENTS)]
        chosen = metafunc.config.getoption("--moments")
        wanted = [m.strip() for m in chosen.split(",")] if chosen else every
        unknown = set(wanted) - set(every)
        if unknown:
            raise pytest.UsageError(f"--moments: unknown {sorted(unknown)}; choose from {every}")
        metafunc.parametrize("moment", wanted, indirect=True)


@pytest.fixture(scope="session")
def suite_moment(pytestconfig: pytest.Config) -> Iterator[Moment]:
    chosen = session_moment(pytestconfig.getoption("--today"))
    with time_machine.travel(chosen.at, tick=True):
        yield chosen


@pytest.fixture
def moment(request: pytest.FixtureRequest, suite_moment: Moment) -> Moment:
    """The moment this test runs at: the suite's, or (tests marked `dates`) one of MOMENTS."""
    chosen = getattr(request, "param", "today")
    return suite_moment if chosen == "today" else next(m for m in MOMENTS if m.id == chosen)


@pytest.fixture(autouse=True)
def _clock(moment: Moment) -> Iterator[None]:
    with time_machine.travel(moment.at, tick=True):
        yield


@pytest.fixture
def today(moment: Moment) -> date:
    """The demo outlet's business day at the test's moment."""
    return moment.today


@pytest.fixture
def timeline(today: date) -> Timeline:
    return Timeline(today)


def seed_other_outlet() -> None:
    """A second cooperative, outlet, investor and their people: the other side of every wall."""
    from pos import demo
    from pos.auth.accounts import hash_secret
    from pos.core import clock
    from pos.extensions import db
    from pos.models import (
        Category,
        Collector,
        Cooperative,
        Investor,
        Member,
        MovementKind,
        Outlet,
        Product,
        Register,
        Role,
        SettlementPeriod,
        User,
    )
    from pos.partnership import agreements
    from pos.stock import ledger

    coop = Cooperative(code="KMP-KDR", name="Koperasi Merah Putih Kaduagung", region="Kota Serang")
    outlet = Outlet(code="SRG-KDR", name="Gerai KMP Kaduagung", cooperative=coop, allow_short_pins=True)
    investor = Investor(code="LAIN", name="UD Lain Jaya")
    category = db.session.scalar(db.select(Category).where(Category.code == "MIE"))
    product = Product(
        investor=investor,
        category=category,
        sku="LAIN-01",
        name="Produk investor lain",
        price=5000,
        barcode="8993000000014",
    )
    db.session.add_all([product, Register(outlet=outlet, code="KASIR-1", name="Kasir 1")])
    db.session.flush()
    agreements.create(
        number="PKS/KMP-KDR/LAIN/2026",
        cooperative=coop,
        investor=investor,
        outlets=[outlet],
        start=demo.agreement_start(clock.today()).replace(day=1),
        end=None,
        terms=agreements.VersionTerms(fee_bp=1000, collector=Collector.INVESTOR, period=SettlementPeriod.MONTHLY),
    )
    ledger.post(outlet.id, product.id, MovementKind.OPENING, 50)
    # the same number as a member of the demo's cooperative: each cooperative numbers its own
    db.session.add(
        Member(cooperative=coop, number="CPR-0001", full_name="Anggota Kaduagung", joined_on=date(2024, 1, 2))
    )
    hashed = hash_secret("other-pass-2026")
    pin = hash_secret("4321")
    db.session.add_all(
        [
            User(
                username="kasir_b",
                full_name="Kasir B",
                role=Role.CASHIER,
                outlet=outlet,
                pin_hash=pin,
                password_hash=hashed,
            ),
            User(
                username="manajer_b",
                full_name="Manajer B",
                role=Role.MANAGER,
                outlet=outlet,
                pin_hash=pin,
                password_hash=hashed,
            ),
            User(
                username="mitra_b",
                full_name="Mitra B",
                role=Role.INVESTOR,
                investor=investor,
                password_hash=hashed,
            ),
            User(
                username="pengurus_b",
                full_name="Pengurus B",
                role=Role.BOARD,
                cooperative=coop,
                password_hash=hashed,
            ),
            User(
                username="kasir_pw",
                full_name="Kasir Sandi",
                role=Role.CASHIER,
                outlet=db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR")),
                password_hash=hash_secret("kasir-pass-2026"),
                pin_hash=hash_secret("5678"),
            ),
        ]
    )
    db.session.flush()


def build_template(path: Path, moment: Moment) -> Path:
    """A migrated database with the demo and the other outlet, seeded as of `moment`."""
    from flask_migrate import upgrade

    from pos import demo
    from pos.extensions import db

    with time_machine.travel(moment.at, tick=False):
        app = make_app(f"sqlite:///{path}")
        with app.app_context():
            upgrade()
            demo.seed(moment.timezone)
            seed_other_outlet()
            db.session.commit()
            db.engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Moment], Path]:
    """One seeded template per moment, built the first time a test asks for it."""
    built: dict[Moment, Path] = {}

    def template_for(moment: Moment) -> Path:
        if moment not in built:
            built[moment] = build_template(tmp_path_factory.mktemp(f"template-{moment.id}") / "t.sqlite3", moment)
        return built[moment]

    return template_for


@pytest.fixture
def template_db(templates: Callable[[Moment], Path], moment: Moment) -> Path:
    return templates(moment)


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "pos.sqlite3"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def app(db_path: Path) -> Iterator[Flask]:
    from pos.extensions import db
    from pos.receipts import spool

    application = make_app(f"sqlite:///{db_path}")
    yield application
    spool.stop(application)  # the print thread, if a sale started it
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class Client:
    """The test client with CSRF tokens filled in, as a browser would send them."""

    def __init__(self, client: FlaskClient) -> None:
        self.raw = client
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            page = self.raw.get("/login", follow_redirects=True).get_data(as_text=True)
            match = _TOKEN.search(page)
            assert match, "no CSRF token on the page"
            self._token = match.group(1)
        return self._token

    def get(self, url: str, **kw: Any) -> Any:
        return self.raw.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, htmx: bool = False, **kw: Any) -> Any:
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        headers = dict(kw.pop("headers", {}) or {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.raw.post(url, data=data, headers=headers, **kw)

    def upload(self, url: str, field: str, content: bytes, filename: str) -> tuple[int, str]:
        """A file posted as a browser does (the body built in memory: Werkzeug's test client spools a large one
        to a temporary file it closes only with the response)."""
        import io

        from werkzeug.datastructures import FileStorage
        from werkzeug.test import encode_multipart

        values = {"csrf_token": self.token(), field: FileStorage(io.BytesIO(content), filename=filename)}
        boundary, body = encode_multipart(values)
        with self.raw.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}") as answer:
            return answer.status_code, answer.get_data(as_text=True)

    def hx(self, url: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        headers["HX-Request"] = "true"
        return self.raw.get(url, headers=headers, **kw)

    def login(self, username: str, password: str = "demo-kmp-2026") -> Any:
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self._token = None
        return response

    def logout(self) -> Any:
        response = self.post("/logout")
        self._token = None
        return response


PASSWORDS = {
    "kasir_b": "other-pass-2026",
    "manajer_b": "other-pass-2026",
    "mitra_b": "other-pass-2026",
    "pengurus_b": "other-pass-2026",
    "kasir_pw": "kasir-pass-2026",
}


@pytest.fixture
def client(app: Flask) -> Client:
    return Client(app.test_client())


@pytest.fixture
def login_as(client: Client):  # type: ignore[no-untyped-def]
    def _login(username: str) -> Client:
        client.login(username, PASSWORDS.get(username, "demo-kmp-2026"))
        return client

    return _login


def csv_rows(text: str, delimiter: str = ";") -> list[list[str]]:
    """An exported CSV as a spreadsheet reads it: UTF-8 with its byte-order mark, ``;`` between cells in
    Indonesian (``,`` in English)."""
    import csv
    import io

    assert text.startswith("\ufeff"), "an export starts with the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
