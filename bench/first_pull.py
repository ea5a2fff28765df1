"""A new outlet node's first pull of a large catalogue from central.

    POS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/first_pull.py [--products 100000]

Central (gunicorn on PostgreSQL, as deployed) holds the demo and ``--products`` more products of an investor that
supplies the bench outlet, each in central's change feed; the outlet node (`kmp-pos sync --once` in a process of
its own, SQLite) pulls until it has them all. Prints the time, products per second, the node's peak resident
memory (sampled every 50 ms) and, as the floor, the time central's database takes to read the same product rows.
Goal (issue 25): 100,000 products in 60 s, the node under 150 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sync_ingest import _database, drop, seed, serve_central  # noqa: E402
from tests.conftest import make_app  # noqa: E402


def add_products(url: str, count: int) -> float:
    """``count`` products of the demo's first investor, written with their feed rows; returns the floor: the
    seconds central's database takes to read them back."""
    from sqlalchemy import insert

    from pos.core import clock
    from pos.domain.barcode import complete_ean13
    from pos.extensions import db
    from pos.models import Category, Investor, Product, SyncChange

    app = make_app(url, strict=False, POS_ROLE="central")
    with app.app_context():
        investor = db.session.scalar(db.select(Investor.id).order_by(Investor.id))
        category = db.session.scalar(db.select(Category.id).order_by(Category.id))
        now = clock.now()
        words = ["Beras", "Gula", "Kopi", "Teh", "Sabun", "Mi", "Susu", "Kecap", "Sambal", "Biskuit"]
        for start in range(0, count, 10_000):
            rows = [
                {
                    "uuid": uuid.uuid4(),
                    "investor_id": investor,
                    "category_id": category,
                    "sku": f"PULL-{i:06d}",
                    "barcode": complete_ean13(f"66{i:010d}"),
                    "name": f"{words[i % 10]} {words[(i // 10) % 10]} varian {i}",
                    "unit": "pcs",
                    "list_price": 1_000 + (i % 500) * 100,
                    "tracks_expiry": False,
                    "favourite": False,
                    "active": True,
                    "created_at": now,
                }
                for i in range(start, min(start + 10_000, count))
            ]
            db.session.execute(insert(Product), rows)
            db.session.execute(insert(SyncChange), [{"entity": "product", "entity_uuid": r["uuid"]} for r in rows])
        db.session.commit()
        started = time.perf_counter()
        read = len(db.session.execute(db.select(Product).where(Product.sku.like("PULL-%"))).all())
        floor = time.perf_counter() - started
        assert read == count
        db.engine.dispose()
    return floor


def _rss_mb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    args = parser.parse_args()
    from pos.extensions import db
    from pos.models import Product

    base = os.environ.get("POS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin, url = _database(base)
    try:
        node = seed(url, 1)["nodes"][0]
        floor = add_products(url, args.products)
        with serve_central(url) as central, tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "POS_INSTANCE_PATH": folder,
                "POS_ROLE": "outlet",
                "POS_OUTLET_CODE": node["code"],
                "POS_CENTRAL_URL": central,
                "POS_SYNC_TOKEN": node["token"],
                "SECRET_KEY": "bench",
            }
            env.pop("DATABASE_URL", None)
            command = [str(Path(sys.executable).parent / "kmp-pos")]
            subprocess.run([*command, "db", "upgrade"], env=env, check=True, capture_output=True)
            started = time.perf_counter()
            sync = subprocess.Popen([*command, "sync", "--once"], env=env, stdout=subprocess.DEVNULL)
            peak = 0
            while sync.poll() is None:  # the node's resident memory, sampled as it pulls
                peak = max(peak, _rss_mb(sync.pid))
                time.sleep(0.05)
            took = time.perf_counter() - started
            assert sync.returncode == 0
            outlet = make_app(f"sqlite:///{Path(folder) / 'kmp-pos.sqlite3'}", strict=False, POS_ROLE="outlet")
            with outlet.app_context():
                held = db.session.scalar(db.select(db.func.count(Product.id)).where(Product.sku.like("PULL-%")))
        assert held == args.products, held
        print(f"floor: central reads the {args.products:,} product rows   {floor:7.2f} s")
        print(
            f"first pull of {args.products:,} products       {took:7.1f} s   {args.products / took:8,.0f} products/s"
            f"   {took / floor:5.1f}x the floor"
        )
        print(f"the node's peak RSS (`kmp-pos sync --once`, its own process): {peak} MB")
    finally:
        drop(admin, url)


if __name__ == "__main__":
    main()
