"""The Z report of a long shift, on the outlet's SQLite.

    python bench/z_report.py [--sales 2000] [--rounds 50]

A shift of ``--sales`` real sales (scanned and paid in cash through the till, one or two lines each), then its Z
report page timed through the app, with the number of statements it runs; the floor is a bare Flask request.
Goal (issue 25): a fixed number of statements, however long the shift.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from bench.checkout import summary, timed  # noqa: E402
from tests.conftest import Client, make_app  # noqa: E402
from tests.web.checkout_helpers import cart_state  # noqa: E402

CODES = ["8991001003010", "8992002001012", "8991001002013"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    from flask_migrate import upgrade
    from sqlalchemy import event

    from pos import demo
    from pos.extensions import db
    from pos.models import Outlet, Shift

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", strict=False, TESTING=False)
        with app.app_context():
            upgrade()
            demo.seed()
            for outlet in db.session.scalars(db.select(Outlet)):
                outlet.allow_negative_stock = True  # a long shift outsells the demo's stock
            db.session.commit()
        client = Client(app.test_client())
        client.login("manajer")
        client.post("/cashier/shift/open", {"register": 1, "opening_float": "0"})
        started = time.perf_counter()
        for n in range(args.sales):
            for code in CODES[: 1 + n % 2]:
                scanned = client.post("/cashier/scan", {"code": code}, htmx=True)
                assert scanned.status_code == 200, scanned.get_data(as_text=True)[:300]
            key, revision = cart_state(app, "manajer")
            paid = client.post("/cashier/pay", {"key": key, "revision": revision, "cash": "20000"})
            assert paid.status_code == 303, paid.status_code
        print(f"sold {args.sales} sales through the till in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            shift = db.session.scalar(db.select(Shift).where(Shift.status == "open"))
            url = f"/cashier/shifts/{shift.uuid}/z"
            statements: list[str] = []
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        assert client.get(url).status_code == 200
        counted = len(statements)

        floor_app = Flask("floor")
        floor_app.add_url_rule("/", "ok", lambda: "ok")
        floor_client = floor_app.test_client()
        floor = statistics.median(timed(lambda: floor_client.get("/"), args.rounds * 3))
        print(f"{'floor: bare Flask request':<34} median {floor:7.3f} ms")
        summary(f"Z report of {args.sales} sales", timed(lambda: client.get(url), args.rounds), floor)
        print(f"statements for the Z report page: {counted}")


if __name__ == "__main__":
    main()
