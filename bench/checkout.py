"""Checkout speed on SQLite with a large catalogue and history.

    python bench/checkout.py [--products 100000] [--sales 200000] [--rounds 300]

Prints medians and p99 in milliseconds and each as a ratio to a bare Flask request (the floor).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from bench.catalogue import product_rows  # noqa: E402
from pos.core import clock  # noqa: E402
from pos.extensions import db  # noqa: E402
from pos.runtime import checkpoint_in_background, settle_heap  # noqa: E402
from tests.conftest import Client, make_app  # noqa: E402

MEMBERS = 5000  # a large cooperative's register


def timed(fn, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(name: str, samples: list[float], floor: float) -> None:
    samples = sorted(samples)
    median = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name:<34} median {median:7.2f} ms   p99 {p99:7.2f} ms   median/floor {median / floor:6.1f}x")


def seed(app: Flask, products: int, sales: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from pos import demo
    from pos.extensions import db
    from pos.models import Member, Product, Sale, SaleLine, Shift, StockBalance, User

    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        cashier = db.session.scalar(db.select(User).where(User.username == "manajer"))
        assert cashier is not None
        investor_id, category_id = 1, 3
        rows = list(product_rows(0, products, investor_id, category_id, clock.now()))
        db.session.execute(insert(Product), rows)
        ids = db.session.scalars(db.select(Product.id).where(Product.sku.like("BENCH-%"))).all()
        db.session.execute(
            insert(StockBalance),
            [{"outlet_id": 1, "product_id": pid, "quantity": 10**6, "needs_count": False} for pid in ids],
        )
        shift = Shift(outlet_id=1, register_id=2, cashier=cashier, opening_float=0)
        db.session.add(shift)
        db.session.flush()
        batch = 20_000
        for start in range(0, sales, batch):
            sale_rows = []
            for n in range(start, min(sales, start + batch)):
                sale_rows.append(
                    {
                        "uuid": uuid.uuid4(),
                        "outlet_id": 1,
                        "shift_id": shift.id,
                        "cashier_id": cashier.id,
                        "kind": "sale",
                        "receipt_no": f"HIST-{n:07d}",
                        "idempotency_key": uuid.uuid4(),
                        "business_date": date(2026, 3, 1),
                        "created_at": clock.now(),
                        "subtotal": 10000,
                        "discount": 0,
                        "total": 10000,
                        "fee": 1200,
                        "investor_share": 8800,
                        "paid": 10000,
                        "change": 0,
                        "reason": "",
                    }
                )
            db.session.execute(insert(Sale), sale_rows)
            first = db.session.scalar(db.select(Sale.id).where(Sale.receipt_no == f"HIST-{start:07d}"))
            line_rows = []
            for offset in range(len(sale_rows)):
                for line_no in (1, 2):
                    line_rows.append(
                        {
                            "uuid": uuid.uuid4(),
                            "outlet_id": 1,
                            "sale_id": first + offset,
                            "line_no": line_no,
                            "product_id": random.choice(ids),
                            "investor_id": investor_id,
                            "agreement_version_id": 1,
                            "name": "x",
                            "unit": "pcs",
                            "quantity": 1,
                            "unit_price": 5000,
                            "gross": 5000,
                            "discount": 0,
                            "net": 5000,
                            "fee_bp": 1200,
                            "fee": 600,
                            "investor_share": 4400,
                        }
                    )
            db.session.execute(insert(SaleLine), line_rows)
        shift.status = "closed"
        db.session.execute(
            insert(Member),
            [
                {"uuid": uuid.uuid4(), "cooperative_id": 1, "number": f"B-{n:06d}", "full_name": f"Anggota {n}",
                 "phone": "", "village": "", "rt_rw": "", "joined_on": date(2024, 1, 1), "status": "active",
                 "created_at": clock.now(), "updated_at": clock.now()}
                for n in range(MEMBERS)
            ],
        )  # fmt: skip
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sales", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    random.seed(7)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        # An outlet node, where cashiers sell (an all-in-one server also keeps the report rollups at checkout).
        app = make_app(f"sqlite:///{path}", strict=False, TESTING=False, POS_ROLE="outlet")
        started = time.perf_counter()
        seed(app, args.products, args.sales)
        print(f"seeded {args.products} products and {args.sales} sales in {time.perf_counter() - started:.1f} s")

        # as `kmp-pos serve` does once the app is built and in each worker (pos.runtime)
        settle_heap()
        checkpoint_in_background(app)
        with app.app_context():
            db.engine.dispose()  # new connections take the server's checkpoint setting
        floor_app = Flask("floor")
        floor_app.add_url_rule("/", "ok", lambda: "ok")
        floor_client = floor_app.test_client()
        floor = statistics.median(timed(lambda: floor_client.get("/"), args.rounds * 3))
        print(f"{'floor: bare Flask request':<34} median {floor:7.3f} ms")

        client = Client(app.test_client())
        client.login("manajer")
        response = client.post("/cashier/shift/open", {"register": 1, "opening_float": "0"})
        assert response.status_code == 303, response.status_code
        codes = [f"77{i:010d}" for i in random.sample(range(args.products), 50)]
        from pos.domain.barcode import complete_ean13

        codes = [complete_ean13(c[:12]) for c in codes]

        def scan() -> None:
            r = client.post("/cashier/scan", {"code": random.choice(codes)}, htmx=True)
            assert r.status_code == 200

        scans = timed(scan, 50)  # warm up and fill a cart
        client.post("/cashier/cart/clear", {"confirm": "1"}, htmx=True)
        scans = []
        for _ in range(args.rounds // 5):
            client.post("/cashier/cart/clear", {"confirm": "1"}, htmx=True)
            scans += timed(scan, 5)
        summary("scan a barcode into the cart", scans, floor)

        def one_sale(keep: bool = False) -> float:
            if not keep:
                client.post("/cashier/cart/clear", {"confirm": "1"}, htmx=True)
            for code in random.sample(codes, 5):
                client.post("/cashier/scan", {"code": code}, htmx=True)
            page = client.get("/cashier/pay").get_data(as_text=True)
            key = re.search(r'name="key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            revision = re.search(r'name="revision" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            start = time.perf_counter()
            r = client.post("/cashier/pay", {"key": key, "revision": revision, "cash": "10000000"})
            elapsed = (time.perf_counter() - start) * 1000
            assert r.status_code == 303, r.get_data(as_text=True)[:300]
            start = time.perf_counter()
            shown = client.get(r.headers["Location"])  # the receipt as it prints, its QR code and link
            receipts.append((time.perf_counter() - start) * 1000)
            assert shown.status_code == 200
            return elapsed

        receipts: list[float] = []
        sales = [one_sale() for _ in range(args.rounds)]
        summary("complete a 5-line cash sale", sales, floor)
        summary("the receipt screen after it", receipts, floor)

        def member_sale() -> float:
            client.post("/cashier/cart/clear", {"confirm": "1"}, htmx=True)
            start = time.perf_counter()
            card = f"AGT:KMP-CIPARE:B-{random.randrange(MEMBERS):06d}"
            r = client.post("/cashier/scan", {"code": card}, htmx=True)
            cards.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200 and "cart-member" in r.get_data(as_text=True)
            return one_sale(keep=True)

        cards: list[float] = []
        member_sales = [member_sale() for _ in range(args.rounds)]
        summary("scan a member card", cards, floor)
        summary("complete a 5-line sale to a member", member_sales, floor)

        terms = ["kopi", "sabun varian 12", "teh", "biskuit roti", "mi", "varian 9999"]
        searches = timed(lambda: client.hx(f"/cashier/search?q={random.choice(terms)}"), args.rounds)
        summary("name search (htmx fragment)", searches, floor)


if __name__ == "__main__":
    main()
