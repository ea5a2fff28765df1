"""An investor imports a catalogue file of 10,000 products (issue 18: under 30 s), on SQLite.

    python bench/catalogue_import.py [--rows 10000]

Uploads a CSV and an Excel file through the browser's form (the check and its preview), then imports the CSV
(every product in the change feed outlets pull). Prints each step's time and its ratio to a bare Flask request.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.catalogue import barcode  # noqa: E402
from bench.checkout import timed  # noqa: E402
from tests.conftest import Client, make_app  # noqa: E402


def rows(count: int, category: str) -> list[list[str]]:
    header = ["sku", "barcode", "nama", "satuan", "kategori", "harga", "modal", "kedaluwarsa"]
    return [header] + [
        [f"IMP-{i:06d}", barcode(900_000 + i), f"Produk Impor {i}", "pcs", category, str(1000 + i), "", "tidak"]
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from flask_migrate import upgrade

        from pos import demo
        from pos.extensions import db
        from pos.models import Category, Product

        app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", strict=False, TESTING=False)
        with app.app_context():
            upgrade()
            demo.seed()
            db.session.commit()
            category = db.session.scalar(db.select(Category.name).order_by(Category.id).limit(1))
        floor_app = Flask("floor")
        floor_app.add_url_rule("/", "ok", lambda: "ok")
        floor_client = floor_app.test_client()
        floor = statistics.median(timed(lambda: floor_client.get("/"), 600))
        print(f"{'floor: bare Flask request':<44} median {floor:8.3f} ms")

        table = rows(args.rows, category)
        csv_bytes = ("\n".join(";".join(r) for r in table)).encode("utf-8-sig")
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in table:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        client = Client(app.test_client())
        client.login("mitra")

        def send(content: bytes, name: str) -> tuple[int, str]:
            return client.upload("/products/import", "file", content, name)

        def step(name: str, work):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            result = work()
            ms = (time.perf_counter() - started) * 1000
            print(f"{name:<44} {ms / 1000:8.2f} s    /floor {ms / floor:10.0f}x")
            return result

        size = len(csv_bytes) / 1024
        status, page = step(
            f"check {args.rows} rows, CSV ({size:.0f} KB)",
            lambda: send(csv_bytes, "k.csv"),
        )
        assert status == 200, page[:500]
        token = re.search(r'action="/products/import/([A-Za-z0-9_-]+)"', page).group(1)  # type: ignore[union-attr]
        xlsx = out.getvalue()
        status, _ = step(
            f"check {args.rows} rows, Excel ({len(xlsx) / 1024:.0f} KB)",
            lambda: send(xlsx, "k.xlsx"),
        )
        assert status == 200
        answer = step(
            f"import {args.rows} rows (check again, insert)", lambda: client.post(f"/products/import/{token}")
        )
        assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
        with app.app_context():
            imported = db.session.scalar(db.select(db.func.count(Product.id)).where(Product.sku.like("IMP-%")))
        print(f"imported {imported} products")


if __name__ == "__main__":
    main()
