"""A day offline: 50,000 sales wait in one outlet's outbox, then the network comes back.

    POS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/backlog.py [--sales 50000]

The outlet node's own sync worker (`worker.sync_once`, as `kmp-pos sync` runs it) drains the outbox into
central served by gunicorn on PostgreSQL. Prints the time to drain and, as the floor, raw COPY of the same
sale, line and payment rows in the same run. Goal (DESIGN §7): within a minute of the network's return.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sync_ingest import _database, copy_floor, drop, seed, serve_central  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.sync_factories import events_for, waiting_in_outbox  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=50_000)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from pos.extensions import db
    from pos.models import OutboxEvent, Outlet
    from pos.sync import worker

    base = os.environ.get("POS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin, url = _database(base)
    try:
        seeded = seed(url, 1)
        node = seeded["nodes"][0]
        with serve_central(url) as central, tempfile.TemporaryDirectory() as folder:
            outlet = make_app(
                f"sqlite:///{Path(folder) / 'outlet.sqlite3'}",
                strict=False,
                POS_ROLE="outlet",
                POS_OUTLET_CODE=node["code"],
                POS_CENTRAL_URL=central,
                POS_SYNC_TOKEN=node["token"],
            )
            with outlet.app_context():
                upgrade()
                worker.sync_once()  # the node's first pull: its catalogue, agreements and staff
                local = db.session.scalar(db.select(Outlet).where(Outlet.code == node["code"]))
                first = (db.session.scalar(db.select(db.func.max(OutboxEvent.seq))) or 0) + 1
                events = events_for(node, seeded["catalogue"], args.sales, random.Random(3), first)
                waiting_in_outbox(local.id, events)
                db.session.commit()
                waiting = worker.pending_count()
                started = time.perf_counter()
                while worker.pending_count():
                    try:
                        worker.sync_once()
                    except worker.SyncError as exc:
                        print("retry after:", exc)
                took = time.perf_counter() - started
                db.engine.dispose()
        floor_rate = copy_floor(admin, url, [(node, events)])
        rate = args.sales / took
        print(f"{waiting:,} events ({args.sales:,} sales) drained by the outlet's sync worker in {took:.1f} s")
        print(f"floor: raw COPY of the same sale, line and payment rows: {floor_rate:,.0f} sales/s")
        print(f"drain {rate:,.0f} sales/s; drain / COPY = {rate / floor_rate:.2f}  (goal: 50,000 sales within 60 s)")
    finally:
        drop(admin, url)


if __name__ == "__main__":
    main()
