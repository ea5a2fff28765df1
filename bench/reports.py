"""The central dashboard over a national programme's rollups, on PostgreSQL.

    POS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/reports.py \
        [--outlets 80000] [--days 30] [--products 20000] [--rounds 15]

Seeds a fresh database with ``--outlets`` outlets (40 per cooperative, 34 regions), ``--days`` days of
outlet, investor and product rollups ending today, month rollups derived from them, three staff per
outlet and a sync state per outlet, all with COPY. Then times each report page through the Flask
test client (server time: routing, access checks, queries, templates) and prints the median, p99 and
the ratio to a bare Flask request measured in the same run. Target (issue 7): the central dashboard
under 300 ms with 80,000 outlets and 30 days of rollups.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from bench.checkout import summary, timed  # noqa: E402
from bench.sync_ingest import _database  # noqa: E402
from pos.core import clock  # noqa: E402
from tests.conftest import Client, make_app  # noqa: E402

REGIONS = [f"Provinsi {n:02d}" for n in range(1, 35)]


def _copy(conn, table: str, columns: str, rows) -> int:  # type: ignore[no-untyped-def]
    count = 0
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def seed(app: Flask, dsn: str, outlets: int, days: int, products: int) -> dict[str, str]:
    import psycopg
    from flask_migrate import upgrade

    from pos import demo
    from pos.core.clock import business_date
    from pos.extensions import db

    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        db.engine.dispose()
    today = business_date("Asia/Jakarta")
    first = today - timedelta(days=days - 1)
    rng = random.Random(7)
    now = clock.now()
    with psycopg.connect(dsn) as conn:
        started = time.perf_counter()
        base = conn.execute("SELECT coalesce(max(id), 0) FROM outlet").fetchone()[0]
        coop_base = conn.execute("SELECT coalesce(max(id), 0) FROM cooperative").fetchone()[0]
        investor_base = conn.execute("SELECT coalesce(max(id), 0) FROM investor").fetchone()[0]
        product_base = conn.execute("SELECT coalesce(max(id), 0) FROM product").fetchone()[0]
        category = conn.execute("SELECT min(id) FROM category").fetchone()[0]
        coops = outlets // 40
        investors = max(outlets // 160, 2)
        _copy(
            conn,
            "cooperative",
            "id, uuid, code, name, region, address, chair_name, created_at",
            (
                (coop_base + c + 1, _uuid(rng), f"BK-{c:05d}", f"Koperasi Bench {c}", REGIONS[c % 34], "", "", now)
                for c in range(coops)
            ),
        )
        _copy(
            conn,
            "investor",
            "id, uuid, code, name, contact_name, phone, address, created_at",
            (
                (investor_base + i + 1, _uuid(rng), f"BI-{i:04d}", f"Investor Bench {i}", "", "", "", now)
                for i in range(investors)
            ),
        )
        _copy(
            conn,
            "outlet",
            "id, uuid, cooperative_id, code, name, address, timezone, allow_negative_stock, cash_tolerance, "
            "discount_limit_bp, receipt_footer, expiry_warning_days, active, created_at",
            (
                (
                    base + o + 1,
                    _uuid(rng),
                    coop_base + o // 40 + 1,
                    f"BO{o:06d}",
                    f"Gerai Bench {o}",
                    "",
                    "Asia/Jakarta",
                    False,
                    5000,
                    500,
                    "",
                    30,
                    True,
                    now,
                )
                for o in range(outlets)
            ),
        )
        _copy(
            conn,
            "product",
            "id, uuid, investor_id, category_id, sku, name, unit, price, tracks_expiry, favourite, active, created_at",
            (
                (
                    product_base + p + 1,
                    _uuid(rng),
                    investor_base + p % investors + 1,
                    category,
                    f"BP-{p:06d}",
                    f"Produk bench {p}",
                    "pcs",
                    1000 + p % 50 * 500,
                    False,
                    False,
                    True,
                    now,
                )
                for p in range(products)
            ),
        )
        day_list = [first + timedelta(days=d) for d in range(days)]

        def outlet_days():  # type: ignore[no-untyped-def]
            for day in day_list:  # day by day, as ingest writes them
                for o in range(outlets):
                    total = rng.randrange(500_000, 8_000_000, 500)
                    fee = total // 10
                    yield base + o + 1, day, rng.randrange(20, 200), rng.randrange(0, 3), total, fee, total - fee, now

        rows = _copy(
            conn,
            "outlet_day_rollup",
            "outlet_id, day, sales, refunds, total, fee, investor_share, updated_at",
            outlet_days(),
        )
        conn.execute(
            "INSERT INTO investor_day_rollup (outlet_id, investor_id, day, lines, net, fee, investor_share) "
            f"SELECT outlet_id, {investor_base} + 1 + (outlet_id % {investors}), day, sales * 3, total, fee, "
            f"investor_share FROM outlet_day_rollup WHERE outlet_id > {base}"
        )
        conn.execute(
            "INSERT INTO outlet_month_rollup (outlet_id, month, sales, refunds, total, fee, investor_share, "
            "updated_at) SELECT outlet_id, CAST(date_trunc('month', day) AS date), sum(sales), sum(refunds), "
            "sum(total), sum(fee), sum(investor_share), max(updated_at) FROM outlet_day_rollup "
            f"WHERE outlet_id > {base} GROUP BY 1, 2"
        )
        conn.execute(
            "INSERT INTO programme_day_rollup (day, shard, sales, refunds, total, fee, investor_share) "
            "SELECT day, outlet_id % 16, sum(sales), sum(refunds), sum(total), sum(fee), sum(investor_share) "
            f"FROM outlet_day_rollup WHERE outlet_id > {base} GROUP BY 1, 2 ON CONFLICT (day, shard) DO UPDATE SET "
            "sales = programme_day_rollup.sales + excluded.sales, total = programme_day_rollup.total + excluded.total, "
            "fee = programme_day_rollup.fee + excluded.fee, refunds = programme_day_rollup.refunds + excluded.refunds, "
            "investor_share = programme_day_rollup.investor_share + excluded.investor_share"
        )

        def product_days():  # type: ignore[no-untyped-def]
            for day in day_list:
                for p in range(products):
                    net = rng.randrange(10_000, 5_000_000, 500)
                    yield (
                        product_base + p + 1,
                        day,
                        investor_base + p % investors + 1,
                        net // 2000,
                        net // 2000,
                        net,
                        net // 10,
                        net - net // 10,
                    )

        _copy(
            conn,
            "product_day_rollup",
            "product_id, day, investor_id, quantity, lines, net, fee, investor_share",
            product_days(),
        )
        conn.execute(
            "INSERT INTO product_month_rollup (product_id, month, investor_id, quantity, lines, net, fee, "
            "investor_share) SELECT product_id, CAST(date_trunc('month', day) AS date), max(investor_id), "
            "sum(quantity), sum(lines), sum(net), sum(fee), sum(investor_share) FROM product_day_rollup "
            f"WHERE product_id > {product_base} GROUP BY 1, 2"
        )
        conn.execute(  # the first cooperative's outlets also have per-product rows (its top products)
            "INSERT INTO outlet_product_day_rollup (outlet_id, product_id, day, investor_id, quantity, lines, net, "
            "fee, investor_share) SELECT o.id, p.id, d.day, p.investor_id, 3, 3, 30000, 3000, 27000 "
            f"FROM outlet o JOIN product p ON p.id % 40 = o.id % 40 AND p.id <= {product_base + 2000} "
            f"CROSS JOIN (SELECT DISTINCT day FROM programme_day_rollup) d WHERE o.cooperative_id = {coop_base + 1}"
        )
        _copy(
            conn,
            "staff_member",
            "uuid, outlet_id, full_name, role, role_note, employer, start_date, new_job, created_at, updated_at",
            (
                (
                    _uuid(rng),
                    base + o + 1,
                    f"Staf {o}-{n}",
                    "cashier",
                    "",
                    "cooperative",
                    date(2026, 1, 1),
                    rng.random() < 0.8,
                    now,
                    now,
                )
                for o in range(outlets)
                for n in range(3)
            ),
        )
        _copy(
            conn,
            "outlet_sync_state",
            "outlet_id, last_seen_at, received, max_seq, conflicts, pull_cursor",
            (
                (
                    base + o + 1,
                    now - timedelta(minutes=rng.randrange(1, 30) if rng.random() < 0.97 else rng.randrange(60, 4320)),
                    0,
                    0,
                    0,
                    0,
                )
                for o in range(outlets)
            ),
        )
        for table in ("outlet", "cooperative", "investor", "product"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        print(
            f"seeded {outlets:,} outlets × {days} days = {rows:,} outlet-day rollups, {products:,} products "
            f"in {time.perf_counter() - started:.0f} s"
        )
    return {"cooperative": "BK-00000", "region": REGIONS[0], "investor": "BI-0000", "outlet": "BO000000"}


def _uuid(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def main() -> None:
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("--outlets", type=int, default=80_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database and print its URL")
    parser.add_argument("--reuse", help="time against a database kept by an earlier --keep run")
    args = parser.parse_args()
    base = os.environ.get("POS_TEST_DATABASE_URL")
    if not base:
        sys.exit("set POS_TEST_DATABASE_URL to a PostgreSQL database the benchmark may create databases from")
    if args.reuse:
        admin, url = "", args.reuse
        app = make_app(url, strict=False, POS_ROLE="central")
        names = {"cooperative": "BK-00000", "region": REGIONS[0], "investor": "BI-0000", "outlet": "BO000000"}
    else:
        admin, url = _database(base)
        app = make_app(url, strict=False, POS_ROLE="central")
        names = seed(app, url.replace("postgresql+psycopg", "postgresql"), args.outlets, args.days, args.products)
    floor_app = Flask("floor")
    floor_app.add_url_rule("/", "ok", lambda: "ok")
    floor_client = floor_app.test_client()
    import statistics

    floor = statistics.median(timed(lambda: floor_client.get("/"), args.rounds * 20))
    print(f"{'floor: bare Flask request':<44} median {floor:7.3f} ms")
    with app.app_context():
        from pos.core.clock import business_date

        today = business_date("Asia/Jakarta")
    window = f"start={today - timedelta(days=args.days - 1)}&end={today}"
    pages = {
        "dashboard, month to date (default)": "/reports",
        f"dashboard, last {args.days} days (month + edges)": f"/reports?{window}",
        "dashboard, one region": f"/reports?region={names['region'].replace(' ', '+')}",
        "dashboard, one cooperative": f"/reports?cooperative={names['cooperative']}",
        "dashboard, one investor": f"/reports?investor={names['investor']}",
        "outlets ranked, page 500": "/reports/outlets?page=500",
        "jobs, outlets below target": "/reports/jobs?below=1",
        "monthly programme report (HTML)": "/reports/monthly",
        "cooperative board view": f"/reports/cooperative?cooperative={names['cooperative']}",
    }
    from pos.extensions import db

    with app.app_context():
        client = Client(app.test_client())
        client.login("pusat")
        for name, url_ in pages.items():
            response = client.get(url_)
            assert response.status_code == 200, (url_, response.status_code)
            summary(name, timed(lambda u=url_: client.get(u), args.rounds), floor)
        db.engine.dispose()
    if args.keep or args.reuse:
        print(f"database kept: --reuse {url}")
        return
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
