"""The outlet's stock list with a large catalogue, on the outlet's SQLite or on central's PostgreSQL.

    python bench/stock_list.py [--products 20000] [--rounds 200]
    POS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/stock_list.py --postgres

Prints each page's server time (median, p99) and its ratio to a bare Flask request (the floor).
Targets: under 100 ms with 20,000 products (issue 4); 50 ms with 100,000 (issue 25). Pages go by keyset.
With ``--postgres`` the same pages are served by central (``POS_ROLE=central``) from a database of their own,
analysed after seeding as autovacuum would.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from bench.catalogue import product_rows  # noqa: E402
from bench.checkout import summary, timed  # noqa: E402
from pos.core import clock  # noqa: E402
from tests.conftest import Client, make_app  # noqa: E402


def seed(app: Flask, products: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from pos import demo
    from pos.extensions import db
    from pos.models import Investor, Outlet, Product, ReorderLevel, StockBalance

    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        outlet_id = db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-CPR"))
        investor_id = db.session.scalar(db.select(Investor.id).where(Investor.code == "SRB"))
        now = clock.now()
        db.session.execute(insert(Product), list(product_rows(0, products, investor_id, 3, now)))
        ids = list(db.session.scalars(db.select(Product.id).where(Product.sku.like("BENCH-%"))))
        db.session.execute(
            insert(StockBalance),
            [{"outlet_id": outlet_id, "product_id": pid, "quantity": random.randint(0, 60)} for pid in ids],
        )
        db.session.execute(
            insert(ReorderLevel),
            [{"outlet_id": outlet_id, "product_id": pid, "level": 10, "updated_at": now} for pid in ids[::3]],
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="central on PostgreSQL (POS_TEST_DATABASE_URL)")
    args = parser.parse_args()
    random.seed(11)
    if not args.postgres:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.products, args.rounds, {})
        return
    from bench.sync_ingest import _database, drop

    admin, url = _database(os.environ.get("POS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    try:
        run(url, args.products, args.rounds, {"POS_ROLE": "central"})
    finally:
        drop(admin, url)


def run(url: str, products: int, rounds: int, settings: dict[str, str]) -> None:
    app = make_app(url, strict=False, TESTING=False, **settings)
    started = time.perf_counter()
    seed(app, products)
    print(f"seeded {products} extra products in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
    floor_app = Flask("floor")
    floor_app.add_url_rule("/", "ok", lambda: "ok")
    floor_client = floor_app.test_client()
    floor = statistics.median(timed(lambda: floor_client.get("/"), rounds * 3))
    print(f"{'floor: bare Flask request':<34} median {floor:7.3f} ms")

    client = Client(app.test_client())
    client.login("manajer")
    with app.app_context():  # deep pages: the keyset cursors of pages 200 and 1,000 in name order
        from pos.extensions import db
        from pos.models import Product

        ordered = db.select(Product.id).order_by(Product.name, Product.id)
        deep = {n: db.session.scalar(ordered.offset(n * 50 - 1).limit(1)) for n in (200, 1000)}
    pages = {
        "stock list, first page": "/stock",
        "stock list, page 200": f"/stock?after={deep[200]}",
        "stock list, page 1000": f"/stock?after={deep[1000]}",
        "stock list, search 'kopi susu'": "/stock?q=Kopi+Susu",
        "stock list, low stock only": "/stock?show=low",
        "stock list, htmx search fragment": "/stock?q=varian+1234",
    }
    for name, page in pages.items():
        headers = {"HX-Request": "true"} if "fragment" in name else {}
        response = client.get(page, headers=headers)
        assert response.status_code == 200, (page, response.status_code)
        summary(name, timed(lambda page=page, headers=headers: client.get(page, headers=headers), rounds), floor)


if __name__ == "__main__":
    main()
