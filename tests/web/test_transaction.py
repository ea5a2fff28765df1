"""One transaction per request, settled at the edge (pos/web/transaction.py): a success commits, a refusal
writes nothing, a read never writes, and what must outlive a refusal (a failed sign-in) is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask import Flask

from pos.core import clock
from pos.core.errors import PosError
from pos.core.transaction import keep
from pos.extensions import csrf, db
from pos.models import Category, OutletStaffing, PriceChange, Product, User
from pos.web.access import public
from pos.web.transaction import attempt


def _rename(code: str, name: str) -> None:
    category = db.session.scalar(db.select(Category).where(Category.code == code))
    assert category is not None
    category.name = name
    db.session.flush()


def _name(app: Flask, code: str) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Category.name).where(Category.code == code)) or ""


@pytest.fixture
def probe(app: Flask) -> Flask:
    """Routes that write and answer as a view would, added before the app serves anything."""
    code = _code(app)

    @app.route("/_probe/write/<int:status>", methods=["GET", "POST"])
    @public
    @csrf.exempt
    def write(status: int):  # type: ignore[no-untyped-def]
        _rename(code, f"written {status}")
        return "", status

    @app.route("/_probe/refuse", methods=["POST"])
    @public
    @csrf.exempt
    def refuse():  # type: ignore[no-untyped-def]
        try:
            with attempt():
                _rename(code, "half a write")
                raise PosError("refused")
        except PosError:
            pass
        return "", 200

    @app.route("/_probe/kept", methods=["POST"])
    @public
    @csrf.exempt
    def kept():  # type: ignore[no-untyped-def]
        _rename(code, "rolled back")
        keep(lambda: _rename(code, "kept"))
        return "", 403

    app.config["probe_code"] = code
    return app


def _code(app: Flask) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Category.code).limit(1)) or ""


def test_a_success_commits_and_a_refusal_writes_nothing(probe: Flask) -> None:
    code, client = probe.config["probe_code"], probe.test_client()
    before = _name(probe, code)
    assert client.post("/_probe/write/422").status_code == 422
    assert _name(probe, code) == before
    assert client.post("/_probe/write/303").status_code == 303
    assert _name(probe, code) == "written 303"


def test_an_attempt_refused_inside_a_view_is_undone_before_the_page(probe: Flask) -> None:
    code, client = probe.config["probe_code"], probe.test_client()
    before = _name(probe, code)
    assert client.post("/_probe/refuse").status_code == 200
    assert _name(probe, code) == before


def test_kept_work_outlives_the_refusal(probe: Flask) -> None:
    code, client = probe.config["probe_code"], probe.test_client()
    assert client.post("/_probe/kept").status_code == 403
    assert _name(probe, code) == "kept"


def test_a_read_that_writes_is_an_error(probe: Flask) -> None:
    code, client = probe.config["probe_code"], probe.test_client()
    before = _name(probe, code)
    assert client.get("/_probe/write/200").status_code == 500
    assert _name(probe, code) == before


def test_wrong_passwords_lock_the_account_though_each_sign_in_is_refused(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "csrf" in page
    from tests.conftest import Client

    browser = Client(client)
    for _ in range(5):
        assert browser.post("/login", {"username": "manajer", "password": "wrong-password"}).status_code == 401
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "manajer"))
        assert user is not None and user.locked_until is not None and user.locked_until > clock.now()


def test_the_daily_housekeeping_changes_no_figure(app: Flask) -> None:
    with app.app_context():
        product = db.session.scalar(db.select(Product).where(Product.active.is_(True)).limit(1))
        assert product is not None
        product_id, before = product.id, product.price
        db.session.add(
            PriceChange(
                product_id=product_id,
                price=before + 500,
                previous_price=before,
                effective_at=clock.now() + timedelta(hours=1),
            )
        )
        product.price_due_at = clock.now() + timedelta(hours=1)
        db.session.commit()
    with time_machine.travel(clock.now() + timedelta(hours=2), tick=True):
        with app.app_context():
            assert db.session.get_one(Product, product_id).price == before + 500  # in force, nothing settled yet
        result = app.test_cli_runner().invoke(args=["daily"], catch_exceptions=False)
        assert result.exit_code == 0 and "1 product" in result.output
        with app.app_context():
            settled = db.session.get_one(Product, product_id)
            assert (settled.list_price, settled.price, settled.price_due_at) == (before + 500, before + 500, None)
            assert db.session.scalar(db.select(OutletStaffing.as_of).limit(1)) is not None


def test_reads_take_no_write_lock(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    """Every GET of the till and the manager's pages begins a plain (deferred) transaction: only a write takes
    SQLite's one write lock, so a page being read never holds up another till's scan."""
    from typing import Any

    from flask import has_request_context, request
    from sqlalchemy import event

    from tests.conftest import Client
    from tests.web.checkout_helpers import AQUA, open_shift, scan

    client = login_as("kasir_pw")
    open_shift(client, app)
    scan(client, AQUA)
    begun: list[tuple[str, str]] = []

    def keep(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if has_request_context() and sql.startswith("BEGIN"):
            begun.append((request.method if request.path != "/cashier/scan" else "SCAN", sql))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        for url in ("/cashier", "/cashier/pay", "/cashier/pay?method=qris", "/cashier/sales", "/cashier/shift/close"):
            assert client.get(url).status_code == 200, url
        assert client.hx("/cashier/search?q=aqua").status_code == 200
        scan(client, AQUA)
        manager = Client(app.test_client())
        manager.login("manajer")
        for url in ("/stock/export?format=csv", "/stock/export?format=xlsx", "/stock/movements?export=csv"):
            exported = manager.get(url)
            assert exported.status_code == 200 and exported.is_streamed, url
            exported.get_data()  # the rows are read as the answer streams, after the view has returned
            exported.close()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    reads = [sql for method, sql in begun if method == "GET"]
    scans = [sql for method, sql in begun if method == "SCAN"]
    assert reads and all(sql == "BEGIN" for sql in reads), reads
    assert scans == ["BEGIN IMMEDIATE"]


def test_a_second_writer_queues_for_the_turn_and_goes_when_the_first_commits(app: Flask) -> None:
    import threading
    import time

    from pos.models import Outlet

    done: list[str] = []

    def second() -> None:
        with app.app_context():
            outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
            assert outlet is not None
            outlet.name = "Gerai kedua"
            db.session.commit()
            done.append("second")

    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))  # takes the write turn
        assert outlet is not None
        turn = db.session.connection().connection.dbapi_connection.pos_turn  # type: ignore[union-attr]
        outlet.name = "Gerai pertama"
        db.session.flush()
        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 5
        while turn.waiting == 0:  # it waits in the queue, not in SQLite's sleep-and-retry
            assert time.monotonic() < deadline
            time.sleep(0.001)
        assert done == []
        db.session.commit()
    thread.join(5)
    assert done == ["second"] and turn.waiting == 0 and not turn.held
    with app.app_context():
        assert db.session.scalar(db.select(Outlet.name).where(Outlet.code == "SRG-CPR")) == "Gerai kedua"


def test_no_secret_is_hashed_while_a_transaction_is_open(app: Flask, login_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Checking a password or a PIN takes ~30 ms of Argon2: done inside the request's write transaction it would
    hold SQLite's one write lock, and every till of the outlet would wait for it."""
    from pos.auth import accounts
    from tests.web.checkout_helpers import MIE, open_shift, scan

    checked: list[bool] = []
    verify = accounts._verify

    def watched(stored: str | None, given: str) -> bool:
        checked.append(db.session().in_transaction())
        return verify(stored, given)

    monkeypatch.setattr(accounts, "_verify", watched)
    client = login_as("kasir_pw")
    open_shift(client, app)
    for _ in range(10):
        scan(client, MIE)
    assert (
        client.post("/cashier/cart/discount", {"discount": "5000", "manager_pin": "1111"}, htmx=True).status_code == 403
    )
    ok = client.post("/cashier/cart/discount", {"discount": "5000", "manager_pin": "9999"}, htmx=True)
    assert ok.status_code == 200 and "Rp30.000" in ok.get_data(as_text=True)
    assert len(checked) >= 3 and not any(checked), checked


def test_an_approval_after_a_write_keeps_the_write(app: Flask) -> None:
    from pos.auth import accounts
    from pos.models import Outlet

    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        outlet.name = "Gerai ditulis"
        db.session.flush()  # written before the PIN is checked: the transaction must stay
        assert accounts.verify_manager_pin(outlet.id, "1111", accounts.policy()) is None
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(db.select(Outlet.name).where(Outlet.code == "SRG-CPR")) == "Gerai ditulis"


def test_a_write_answer_is_drawn_after_its_commit(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    """A scan's or a cart edit's answer is rendered with SQLite's write lock free and the change already
    committed: another till can write while this one's answer is drawn."""
    import re
    import sqlite3
    from typing import Any

    from flask import request
    from jinja2_fragments.flask import before_render_template_block

    from pos.models import CartLine
    from tests.web.checkout_helpers import AQUA, MIE, open_shift, scan

    client = login_as("kasir_pw")
    open_shift(client, app)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    seen: list[tuple[str, bool, int]] = []

    def drawing(_app: Any, **_kw: Any) -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" while this request holds the lock
            other.execute("ROLLBACK")
            free = True
        except sqlite3.OperationalError:
            free = False
        units = other.execute("SELECT coalesce(sum(quantity), 0) FROM cart_line").fetchone()[0]
        other.close()
        seen.append((request.path, free, units))

    before_render_template_block.connect(drawing)
    try:
        first = scan(client, MIE)
        second = scan(client, AQUA)
        revision = re.search(r'data-revision="(\d+)"', second.get_data(as_text=True))
        assert revision
        third = client.post("/cashier/scan", {"code": AQUA, "revision": revision.group(1)}, htmx=True)
        with app.app_context():
            line = db.session.scalar(db.select(CartLine.id).where(CartLine.quantity == 2))
        edited = client.post(f"/cashier/lines/{line}/quantity", {"quantity": "5"}, htmx=True)
    finally:
        before_render_template_block.disconnect(drawing)
    assert [a.status_code for a in (first, second, third, edited)] == [200] * 4
    assert "Indomie" in first.get_data(as_text=True)
    assert all("Aqua" in a.get_data(as_text=True) for a in (second, third, edited))
    assert [(p, free) for p, free, _ in seen] == [
        ("/cashier/scan", True),
        ("/cashier/scan", True),
        ("/cashier/scan", True),
        (f"/cashier/lines/{line}/quantity", True),
    ], seen
    assert [units for *_, units in seen] == [1, 2, 3, 6]  # each committed before its answer was drawn
