"""The SHU calculation for a large cooperative, on SQLite: members' purchases for a book year from the month
rollup, the preview a board sees, and saving the numbered calculation.

    python bench/shu.py [--members 20000] [--rounds 5]

Prints medians in milliseconds and each as a ratio to a bare Flask request (the floor).
"""

from __future__ import annotations

import argparse
import io
import random
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
from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from bench.checkout import summary, timed  # noqa: E402
from pos.core import clock  # noqa: E402
from pos.extensions import db  # noqa: E402
from tests.conftest import Client, make_app  # noqa: E402


def seed(app: Flask, members: int) -> int:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from pos import demo
    from pos.domain.periods import book_year_of
    from pos.models import Member, MemberMonthRollup

    with app.app_context():
        upgrade()
        demo.seed()
        now = clock.now()
        db.session.execute(
            insert(Member),
            [
                {"uuid": uuid.uuid4(), "cooperative_id": 1, "number": f"B-{n:06d}", "full_name": f"Anggota {n}",
                 "phone": "", "village": "", "rt_rw": "", "joined_on": date(2020, 1, 1), "status": "active",
                 "created_at": now, "updated_at": now}
                for n in range(members)
            ],
        )  # fmt: skip
        ids = db.session.scalars(db.select(Member.id).where(Member.number.like("B-%"))).all()
        year = book_year_of(clock.today()) - 1
        rows = [
            {"outlet_id": 1, "member_id": m, "month": date(year, month, 1), "purchases": random.randint(0, 900_000),
             "sales": random.randint(1, 12), "refunds": 0, "updated_at": now}
            for m in ids
            for month in random.sample(range(1, 13), 6)
        ]  # fmt: skip
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(MemberMonthRollup), rows[start : start + 20_000])
        db.session.commit()
        return year


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", strict=False, TESTING=False)
        started = time.perf_counter()
        year = seed(app, args.members)
        print(f"seeded {args.members} members, 6 months of purchases each, in {time.perf_counter() - started:.1f} s")
        floor_app = Flask("floor")
        floor_app.add_url_rule("/", "ok", lambda: "ok")
        floor_client = floor_app.test_client()
        floor = statistics.median(timed(lambda: floor_client.get("/"), 300))
        print(f"{'floor: bare Flask request':<34} median {floor:7.3f} ms")
        client = Client(app.test_client())
        client.login("pengurus")
        savings = "nomor anggota;simpanan\n" + "".join(f"B-{n:06d};{n * 1000}\n" for n in range(args.members))
        lines = [
            ("cadangan", "Cadangan", "40"), ("jasa_anggota", "Jasa anggota", "25"), ("jasa_modal", "Jasa modal", "15"),
            ("dana_pengurus", "Pengurus", "10"), ("dana_pendidikan", "Pendidikan", "10"),
        ]  # fmt: skip

        def post(action: str) -> None:
            values: dict[str, object] = {
                "csrf_token": client.token(), "year": str(year), "shu": "250.000.000", "leavers": "included",
                "action": action, "savings_file": FileStorage(io.BytesIO(savings.encode()), filename="simpanan.csv"),
            }  # fmt: skip
            for n, (code, label, share) in enumerate(lines):
                values |= {
                    f"allocations-{n}-code": code,
                    f"allocations-{n}-label": label,
                    f"allocations-{n}-share": share,
                }
            boundary, body = encode_multipart(values)
            answer = client.raw.post("/shu/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
            assert answer.status_code in (200, 303), answer.get_data(as_text=True)[:300]

        summary("SHU preview (file read, calculated)", timed(lambda: post("preview"), args.rounds), floor)
        summary("SHU saved as a locked calculation", timed(lambda: post("save"), args.rounds), floor)
        with app.app_context():
            from pos.models import ShuCalculation

            key = db.session.scalar(db.select(ShuCalculation.uuid).order_by(ShuCalculation.id.desc()).limit(1))
        summary("its Excel export", timed(lambda: client.get(f"/shu/{key}.xlsx").get_data(), args.rounds), floor)


if __name__ == "__main__":
    main()
