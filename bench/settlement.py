"""Issuing a monthly settlement statement for an outlet with 30,000 sale lines (SQLite).

    python bench/settlement.py [--lines 30000]

Prints the time to issue and the ratio to a floor: one raw SQL SUM over the same lines.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pos.core import clock  # noqa: E402
from tests.conftest import make_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=30_000)
    args = parser.parse_args()
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from pos import demo
    from pos.extensions import db
    from pos.models import Agreement, Outlet, Product, Sale, SaleLine, Shift, User
    from pos.partnership import settlements

    random.seed(3)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", strict=False, TESTING=False)
        with app.app_context():
            upgrade()
            demo.seed()
            db.session.commit()
            agreement = db.session.scalar(db.select(Agreement).where(Agreement.number.like("%SRB%")))
            outlet = db.session.get(Outlet, 1)
            user = db.session.scalar(db.select(User).where(User.username == "pusat"))
            assert agreement and outlet and user
            version_id = agreement.versions[0].id
            products = db.session.scalars(
                db.select(Product.id).where(Product.investor_id == agreement.investor_id)
            ).all()
            shift_id = db.session.scalar(db.select(Shift.id))
            sales = args.lines // 3
            sale_rows = [
                {
                    "uuid": uuid.uuid4(),
                    "outlet_id": 1,
                    "shift_id": shift_id,
                    "cashier_id": user.id,
                    "kind": "sale",
                    "receipt_no": f"B-{n:07d}",
                    "idempotency_key": uuid.uuid4(),
                    "business_date": date(2026, 3, 1 + n % 31),
                    "created_at": clock.now(),
                    "subtotal": 0,
                    "discount": 0,
                    "total": 0,
                    "fee": 0,
                    "investor_share": 0,
                    "paid": 0,
                    "change": 0,
                    "reason": "",
                }
                for n in range(sales)
            ]
            db.session.execute(insert(Sale), sale_rows)
            first = db.session.scalar(db.select(Sale.id).where(Sale.receipt_no == "B-0000000"))
            line_rows = []
            for n in range(args.lines):
                net = random.randrange(1000, 50000, 100)
                fee = (2 * net * 1200 + 10000) // 20000
                line_rows.append(
                    {
                        "uuid": uuid.uuid4(),
                        "outlet_id": 1,
                        "sale_id": first + n // 3,
                        "line_no": n % 3 + 1,
                        "product_id": random.choice(products),
                        "investor_id": agreement.investor_id,
                        "agreement_version_id": version_id,
                        "name": "x",
                        "unit": "pcs",
                        "quantity": 1,
                        "unit_price": net,
                        "gross": net,
                        "discount": 0,
                        "net": net,
                        "fee_bp": 1200,
                        "fee": fee,
                        "investor_share": net - fee,
                    }
                )
            db.session.execute(insert(SaleLine), line_rows)
            db.session.commit()
            settlements.issue(agreement, outlet, date(2026, 2, 1), user)
            db.session.commit()

            start = time.perf_counter()
            total = db.session.execute(db.text("SELECT sum(net), count(*) FROM sale_line")).one()
            floor = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            statement = settlements.issue(agreement, outlet, date(2026, 3, 1), user)
            db.session.commit()
            elapsed = (time.perf_counter() - start) * 1000
            print(f"floor: raw SUM over {total[1]} sale lines        {floor:8.1f} ms")
            print(
                f"issue the March statement ({len(line_rows)} lines, {len(statement.lines)} statement rows) "
                f"{elapsed:8.1f} ms   ratio {elapsed / floor:6.1f}x"
            )
            assert statement.net_sales == sum(r["net"] for r in line_rows)


if __name__ == "__main__":
    main()
