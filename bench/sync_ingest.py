"""Central ingest over HTTP (gunicorn, PostgreSQL) with batches from many simulated outlets.

    POS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/sync_ingest.py \
        [--outlets 20] [--sales 2000] [--batch 500] [--pushers 4] [--workers 2] [--citus]

Prints three-line sales ingested per second and, as the floor, raw COPY of the same sale, line and
payment rows into PostgreSQL in the same run. Goal (issue 6): at least 20,000 sales a second.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402

from pos.domain.ids import new_id  # noqa: E402
from tests.sync_factories import catalogue_of, events_for  # noqa: E402


def _database(base: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"kmp_bench_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin, url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def seed(url: str, outlets: int, citus: bool = False) -> dict:
    from flask_migrate import upgrade

    from pos import demo
    from pos.extensions import db
    from pos.models import Agreement, Outlet, Register, Role, User
    from pos.sync import tokens
    from tests.conftest import make_app

    app = make_app(url, strict=False, POS_ROLE="central")
    with app.app_context():
        if citus:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS citus")
        upgrade()
        demo.seed()
        home = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        agreements = list(db.session.scalars(db.select(Agreement)))
        nodes = []
        for i in range(outlets):
            outlet = Outlet(code=f"B{i:04d}", name=f"Bench {i}", cooperative_id=home.cooperative_id)
            cashier = User(username=f"bench-{i}", full_name=f"Bench {i}", role=Role.CASHIER, outlet=outlet)
            db.session.add_all([outlet, cashier, Register(outlet=outlet, code="KASIR-1", name="Kasir 1")])
            for agreement in agreements:
                agreement.outlets.append(outlet)
            db.session.flush()
            nodes.append({"code": outlet.code, "token": tokens.issue(outlet, None), "cashier": str(cashier.uuid)})
        catalogue = catalogue_of(home.id)
        db.session.commit()
        if citus:
            from pos.models import citus as placing

            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                placed = placing.distribute(connection)
            print(f"placed on Citus: {sum(s.startswith('SELECT create_') for s in placed)} tables")
        db.engine.dispose()
    return {"nodes": nodes, "catalogue": catalogue}


def copy_floor(admin: str, url: str, batches: list[tuple[dict, list[dict]]]) -> float:
    """Raw COPY of the same sales, lines and payments into unconstrained copies of the tables."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    sales = [e["payload"] for _, events in batches for e in events if e["type"] == "sale.completed"]
    with psycopg.connect(target) as conn:
        for table in ("sale", "sale_line", "payment"):
            conn.execute(f"CREATE TEMP TABLE copy_{table} (LIKE {table} INCLUDING DEFAULTS)")
        conn.execute("ALTER TABLE copy_sale ALTER COLUMN id DROP NOT NULL")
        started = time.perf_counter()
        with conn.cursor() as cur:
            buffer = io.StringIO()
            for i, s in enumerate(sales):
                buffer.write(
                    f"{i}\t{s['uuid']}\t1\t1\t1\tsale\t{s['receipt_no']}\t{s['uuid']}\t{s['business_date']}\t"
                    f"{s['created_at']}\t{s['total']}\t0\t{s['total']}\t{s['fee']}\t{s['investor_share']}\t"
                    f"{s['total']}\t0\t\\N\t\n"
                )
            with cur.copy(
                "COPY copy_sale (id, uuid, outlet_id, shift_id, cashier_id, kind, receipt_no, idempotency_key, "
                "business_date, created_at, subtotal, discount, total, fee, investor_share, paid, change, "
                "original_id, reason) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
            buffer = io.StringIO()
            k = 0
            for i, s in enumerate(sales):
                for ln in s["lines"]:
                    buffer.write(
                        f"{k}\t{ln['uuid']}\t1\t{i}\t{ln['line_no']}\t1\t1\t1\tx\tpcs\t{ln['quantity']}\t"
                        f"{ln['unit_price']}\t{ln['gross']}\t0\t{ln['net']}\t{ln['fee_bp']}\t{ln['fee']}\t"
                        f"{ln['investor_share']}\t\\N\n"
                    )
                    k += 1
            with cur.copy(
                "COPY copy_sale_line (id, uuid, outlet_id, sale_id, line_no, product_id, investor_id, "
                "agreement_version_id, name, unit, quantity, unit_price, gross, discount, net, fee_bp, fee, "
                "investor_share, original_line_id) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
            buffer = io.StringIO()
            for i, s in enumerate(sales):
                p = s["payments"][0]
                buffer.write(f"{i}\t{p['uuid']}\t1\t{i}\tcash\t{p['amount']}\t\n")
            with cur.copy(
                "COPY copy_payment (id, uuid, outlet_id, sale_id, method, amount, reference) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
        conn.commit()
        elapsed = time.perf_counter() - started
    return len(sales) / elapsed


def copy_ceiling(url: str, batches: list[tuple[dict, list[dict]]], connections: int = 2) -> float:
    """Raw COPY of everything central stores for these sales (event log, sale, lines, payment, stock moves)
    into the real tables, with their keys and indexes, from ``connections`` sessions at once: what PostgreSQL
    alone can take on this machine, with no HTTP, JSON or checking at all. Fresh UUIDs and receipt numbers."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(target) as conn:
        refs = {
            "product": dict(conn.execute("SELECT uuid::text, id FROM product").fetchall()),
            "investor": dict(conn.execute("SELECT uuid::text, id FROM investor").fetchall()),
            "version": dict(conn.execute("SELECT uuid::text, id FROM agreement_version").fetchall()),
        }
        outlet_id, shift_id, cashier_id = conn.execute(
            "SELECT s.outlet_id, s.id, s.cashier_id FROM shift s ORDER BY s.id LIMIT 1"
        ).fetchone()
        first_seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM sync_event").fetchone()[0]
        sale_id = conn.execute("SELECT nextval('sale_id_seq')").fetchone()[0] + 1
        conn.execute("SELECT setval('sale_id_seq', %s)", (sale_id + 10_000_000,))
    events = [e for _, batch in batches for e in batch if e["type"] == "sale.completed"]
    parts: list[dict[str, io.StringIO]] = [
        {t: io.StringIO() for t in ("sync_event", "sale", "sale_line", "payment", "stock_movement")}
        for _ in range(connections)
    ]
    for n, event in enumerate(events):
        out, s = parts[n % connections], event["payload"]
        sale = sale_id + n
        day, at = s["business_date"], s["created_at"]
        body = orjson.dumps(s, option=orjson.OPT_SORT_KEYS).decode().replace("\\", "\\\\")
        out["sync_event"].write(
            f"{new_id()}\t{outlet_id}\t{first_seq + n}\tsale.completed\t1\t{'0' * 64}\t{body}\t{at}\n"
        )
        out["sale"].write(
            f"{sale}\t{new_id()}\t{outlet_id}\t{shift_id}\t{cashier_id}\tsale\tF-{n}\t{new_id()}\t{day}\t"
            f"{at}\t{s['total']}\t0\t{s['total']}\t{s['fee']}\t{s['investor_share']}\t{s['total']}\t0\t\\N\t\n"
        )
        for ln in s["lines"]:
            out["sale_line"].write(
                f"{new_id()}\t{outlet_id}\t{sale}\t{ln['line_no']}\t{refs['product'][ln['product']]}\t"
                f"{refs['investor'][ln['investor']]}\t{refs['version'][ln['agreement_version']]}\tx\tpcs\t"
                f"{ln['quantity']}\t{ln['unit_price']}\t{ln['gross']}\t0\t{ln['net']}\t{ln['fee_bp']}\t{ln['fee']}\t"
                f"{ln['investor_share']}\t\\N\n"
            )
        out["payment"].write(f"{new_id()}\t{outlet_id}\t{sale}\tcash\t{s['total']}\t\n")
        for move in s["movements"]:
            out["stock_movement"].write(
                f"{new_id()}\t{outlet_id}\t{refs['product'][move['product']]}\tsale\t{move['quantity']}\t"
                f"sale\t{s['uuid']}\t\t{at}\n"
            )
    columns = {
        "sync_event": "uuid, outlet_id, seq, event_type, schema_version, body_hash, payload, received_at",
        "sale": "id, uuid, outlet_id, shift_id, cashier_id, kind, receipt_no, idempotency_key, business_date, "
        "created_at, subtotal, discount, total, fee, investor_share, paid, change, original_id, reason",
        "sale_line": "uuid, outlet_id, sale_id, line_no, product_id, investor_id, agreement_version_id, name, unit, "
        "quantity, unit_price, gross, discount, net, fee_bp, fee, investor_share, original_line_id",
        "payment": "uuid, outlet_id, sale_id, method, amount, reference",
        "stock_movement": "uuid, outlet_id, product_id, kind, quantity, document_type, document_uuid, note, created_at",
    }
    sessions = [psycopg.connect(target) for _ in range(connections)]

    def load(conn: psycopg.Connection, tables: dict[str, io.StringIO]) -> None:
        with conn.cursor() as cur:
            for table, buffer in tables.items():
                with cur.copy(f"COPY {table} ({columns[table]}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
        conn.commit()

    started = time.perf_counter()
    threads = [threading.Thread(target=load, args=pair) for pair in zip(sessions, parts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for conn in sessions:
        conn.close()
    return len(events) / elapsed


@contextlib.contextmanager
def serve_central(url: str, workers: int = 2) -> Iterator[str]:
    """Central as deployed: gunicorn serving wsgi:app on PostgreSQL, on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url.replace("postgresql+psycopg", "postgresql"),
        "POS_ROLE": "central",
        "SECRET_KEY": "bench",
        "POS_RATELIMIT": "false",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base_url + "/api/v1/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait()


def drop(admin: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outlets", type=int, default=20)
    parser.add_argument("--sales", type=int, default=2000, help="sales per outlet")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--pushers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--citus", action="store_true", help="place the tables on a Citus coordinator first")
    args = parser.parse_args()
    base = os.environ.get("POS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin, url = _database(base)
    try:
        started = time.perf_counter()
        seeded = seed(url, args.outlets, args.citus)
        rng = random.Random(5)
        batches: list[tuple[dict, list[dict]]] = []
        for node in seeded["nodes"]:
            events = events_for(node, seeded["catalogue"], args.sales, rng)
            for start in range(0, len(events), args.batch):
                batches.append((node, events[start : start + args.batch]))
        total_sales = args.outlets * args.sales
        took = time.perf_counter() - started
        print(f"seeded central and {total_sales} sales from {args.outlets} outlets in {took:.1f} s")

        with serve_central(url, args.workers) as base_url:
            # A node's batches go in order (one pusher per outlet at a time); outlets push in parallel.
            # Bodies are serialised before the clock starts, as an outlet's worker would have them ready.
            by_node: dict[str, list[bytes]] = {}
            for node, events in batches:
                by_node.setdefault(node["code"], []).append(orjson.dumps({"outlet": node["code"], "events": events}))
            tokens = {n["code"]: n["token"] for n in seeded["nodes"]}
            queue = list(by_node.items())
            lock = threading.Lock()
            accepted = [0]

            def pusher() -> None:
                with httpx.Client(timeout=120) as client:
                    while True:
                        with lock:
                            if not queue:
                                return
                            code, node_batches = queue.pop()
                        for body in node_batches:
                            answer = client.post(
                                base_url + "/api/v1/sync/push",
                                content=body,
                                headers={"Authorization": f"Bearer {tokens[code]}", "Content-Type": "application/json"},
                            )
                            answer.raise_for_status()
                            with lock:
                                accepted[0] += answer.json()["accepted"]

            started = time.perf_counter()
            threads = [threading.Thread(target=pusher) for _ in range(args.pushers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        expected = total_sales + args.outlets
        assert accepted[0] == expected, (accepted[0], expected)
        rate = total_sales / elapsed
        floor = copy_floor(admin, url, batches)
        ceiling = copy_ceiling(url, batches)
        print(
            f"ingest over HTTP ({args.workers} gunicorn workers, {args.pushers} pushers, batches of {args.batch}): "
            f"{rate:,.0f} three-line sales/s ({elapsed:.1f} s)"
        )
        print(f"floor: raw COPY of the same sale, line and payment rows: {floor:,.0f} sales/s")
        print(
            f"ceiling: raw COPY of every row central keeps for them (event log, sale, lines, payment, stock moves) "
            f"into the real tables with their keys and indexes, 2 sessions: {ceiling:,.0f} sales/s"
        )
        print(f"ingest / COPY = {rate / floor:.2f}; ingest / ceiling = {rate / ceiling:.2f}  (goal: >= 20,000 sales/s)")
    finally:
        drop(admin, url)


if __name__ == "__main__":
    main()
