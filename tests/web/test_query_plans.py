"""The till's queries are answered from indexes: every statement of a cashier's shift (scan, pay, receipt,
history, refund, void, cash out, close, Z report) is explained on the outlet's SQLite, and none reads a whole
table of outlet records (a year of sales, lines, carts and payments grows with every sale)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, has_request_context
from sqlalchemy import event

from pos.extensions import db
from pos.models import placement
from tests.web.checkout_helpers import AQUA, MIE, open_shift, pay, scan

_SCAN = re.compile(r"^SCAN (\w+)")
# The catalogue grows to 100,000 products at an outlet: no till statement reads it whole either.
WHOLE_CATALOGUE = {"product", "stock_balance", "stock_lot"}


def _full_scans(statements: list[tuple[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    with db.engine.connect() as connection:
        # a partial index holds only the rows it names (the favourites): reading it whole is not reading the table
        partial = set(
            connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'")
            .scalars()
            .all()
        )
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
                continue
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
            for row in rows:
                match = _SCAN.match(row[-1])
                used = re.search(r"USING (?:COVERING )?INDEX (\w+)", row[-1])
                if used and used.group(1) in partial:
                    continue
                if match and (match.group(1) in placement.PER_OUTLET or match.group(1) in WHOLE_CATALOGUE):
                    found.setdefault(f"{match.group(1)}: {row[-1]}", sql)
    return found


def test_a_cashiers_shift_reads_no_outlet_table_whole(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("kasir_pw")
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool) -> None:
        if not many and has_request_context():  # the app's, not the test helpers'
            statements.append((sql, params))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        open_shift(client, app)
        for code in (MIE, AQUA, MIE):
            assert scan(client, code).status_code == 200
        first = pay(client, app, cash="20000").headers["Location"]
        assert client.get(first).status_code == 200
        scan(client, AQUA)
        second = pay(client, app, cash="4000").headers["Location"]
        sale = first.split("/receipt/")[1].split("?")[0]
        page = client.get(f"/cashier/sales/{sale}").get_data(as_text=True)
        line = re.search(r'name="qty-(\d+)"', page).group(1)  # type: ignore[union-attr]
        refund = {"key": str(uuid.uuid4()), f"qty-{line}": "1", "reason": "rusak", "manager_pin": "9999"}
        assert client.post(f"/cashier/sales/{sale}/refund", refund).status_code == 303
        last = second.split("/receipt/")[1].split("?")[0]
        void = {"key": str(uuid.uuid4()), "reason": "salah", "manager_pin": "9999"}
        assert client.post(f"/cashier/sales/{last}/void", void).status_code == 422  # the refund came after it
        assert client.get("/cashier/sales?q=0001").status_code == 200
        assert client.get("/cashier").status_code == 200
        assert "Favorit" in client.get("/cashier").get_data(as_text=True)  # the register page with its favourites
        assert client.post("/cashier/shift/cash", {"kind": "out", "amount": "1000", "reason": "x"}).status_code == 303
        close = client.post("/cashier/shift/close", {"n100000": "2", "n10000": "2", "manager_pin": "9999"})
        assert close.status_code == 303
        assert client.get(close.headers["Location"]).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    with app.app_context():
        assert len(statements) > 100
        assert _full_scans(statements) == {}


def test_the_favourite_tiles_are_read_from_their_own_index(app: Flask) -> None:
    from pos.cashier import cart

    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        statements.append((sql, params))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            names = [p.name for p in cart.favourites(1)]
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert names and names == sorted(names)
        sql, params = next((sql, p) for sql, p in statements if "favourite" in sql)
        plan = [row[-1] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0].startswith("SCAN product USING INDEX ix_product_favourite"), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # already in name order


def test_the_stock_list_walks_the_name_index_and_stops_at_its_page(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pos.models import Investor
    from pos.stock import inventory

    plans: dict[str, list[str]] = {}
    with app.app_context():
        investors = set(db.session.scalars(db.select(Investor.id)))
        for show in ("all", "low", "in_stock", "flagged", "few low"):
            # many low products: the walk of the name index finds a page soon; a few: the levels are read
            monkeypatch.setattr(inventory, "FEW_LOW", 10_000 if show == "few low" else -1)
            inventory._counts.clear()
            statements: list[tuple[str, Any]] = []

            def keep(_c: Any, _cu: Any, sql: str, params: Any, _x: Any, _m: bool, into: list[Any] = statements) -> None:
                into.append((sql, params))

            event.listen(db.engine, "before_cursor_execute", keep)
            try:
                inventory.outlet_stock(1, investors, "", show.removeprefix("few "))
            finally:
                event.remove(db.engine, "before_cursor_execute", keep)
            sql, params = next((sql, p) for sql, p in statements if "ORDER BY product.name" in sql)
            raw = db.session.connection()
            plans[show] = [row[-1] for row in raw.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
    few_low = plans.pop("few low")
    for show, plan in plans.items():
        assert plan[0] == "SCAN product USING INDEX ix_product_name", (show, plan)
        assert not any("TEMP B-TREE" in step for step in plan), (show, plan)
    assert few_low[0] == "MATERIALIZE low" and "SEARCH product USING INTEGER PRIMARY KEY (rowid=?)" in few_low
    assert not any(step.startswith("SCAN product") for step in few_low), few_low


def _vm_steps(work: Any) -> int:
    """SQLite virtual-machine steps ``work`` takes on the session's connection: what it reads, whatever the plan
    says."""
    raw = db.session.connection().connection.dbapi_connection
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0

    raw.set_progress_handler(tick, 100)  # type: ignore[union-attr]
    try:
        work()
    finally:
        raw.set_progress_handler(None, 100)  # type: ignore[union-attr]
    return ticks[0] * 100


def test_the_sync_warning_reads_one_waiting_event_however_many_wait(app: Flask) -> None:
    """Every page a cashier or manager opens on the outlet node asks how long the oldest unsent event has waited:
    after an offline day tens of thousands wait, and that question must not read them all."""
    from datetime import timedelta

    from pos.core import clock
    from pos.models import OutboxEvent, Outlet
    from pos.sync.status import oldest_waiting

    def waiting(first: int, count: int, hours_ago: int) -> None:
        made = clock.now() - timedelta(hours=hours_ago)
        db.session.execute(
            db.insert(OutboxEvent),
            [
                {
                    "uuid": uuid.uuid4(),
                    "outlet_id": outlet_id,
                    "seq": seq,
                    "event_type": "sale.completed",
                    "schema_version": 1,
                    "payload": "{}" + " " * 2000,
                    "attempts": 0,
                    "created_at": made,
                }
                for seq in range(first, first + count)
            ],
        )

    with app.app_context():
        outlet_id = db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-CPR"))
        db.session.execute(db.update(OutboxEvent).values(sent_at=clock.now()))  # what the demo made has gone
        start = (db.session.scalar(db.select(db.func.max(OutboxEvent.seq))) or 0) + 1
        waiting(start, 30, hours_ago=5)
        few = _vm_steps(oldest_waiting)
        waiting(start + 30, 3_000, hours_ago=1)
        many = _vm_steps(oldest_waiting)
        assert many < few + 300, (few, many)  # a minimum over every waiting event: 100 → 18,200 steps
        assert clock.now() - oldest_waiting() >= timedelta(hours=5)  # type: ignore[operator]
        db.session.rollback()


def test_a_low_stock_page_of_a_few_low_products_does_not_read_the_catalogue(app: Flask) -> None:
    """The usual shop has a handful of low products among thousands: walking the name index to find them read
    every product (669 ms at 100,000); the page is then taken from the reorder levels."""
    from pos.core import clock
    from pos.models import Investor, Outlet, Product, ReorderLevel, StockBalance
    from pos.stock import inventory

    def add_products(first: int, count: int) -> None:
        made = [
            {
                "uuid": uuid.uuid4(),
                "investor_id": investor,
                "category_id": category,
                "sku": f"QP-{n:05d}",
                "name": f"Produk uji {n:05d}",
                "unit": "pcs",
                "list_price": 1000,
            }
            for n in range(first, first + count)
        ]
        db.session.execute(db.insert(Product), made)
        ids = db.session.scalars(db.select(Product.id).where(Product.sku.in_([m["sku"] for m in made])))
        db.session.execute(
            db.insert(StockBalance), [{"outlet_id": outlet, "product_id": pid, "quantity": 100} for pid in ids]
        )

    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-CPR"))
        investor = db.session.scalar(db.select(Investor.id).where(Investor.code == "SRB"))
        category = db.session.scalar(db.select(Product.category_id).limit(1))
        investors = set(db.session.scalars(db.select(Investor.id)))
        low_before = [r.product.name for r in inventory.outlet_stock(outlet, investors, "", "low").rows]
        add_products(0, 50)
        inventory._counts.clear()
        few = _vm_steps(lambda: inventory.outlet_stock(outlet, investors, "", "low"))
        add_products(50, 3_000)
        pid = db.session.scalar(db.select(Product.id).where(Product.sku == "QP-01234"))
        db.session.add(ReorderLevel(outlet_id=outlet, product_id=pid, level=100, updated_at=clock.now()))
        db.session.flush()
        inventory._counts.clear()
        many = _vm_steps(lambda: inventory.outlet_stock(outlet, investors, "", "low"))
        page = inventory.outlet_stock(outlet, investors, "", "low")
        assert many < few * 2, (few, many)  # the name walk: 3,050 products read for one low row
        assert [r.product.name for r in page.rows] == sorted([*low_before, "Produk uji 01234"]), page.rows
        db.session.rollback()
