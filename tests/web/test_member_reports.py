"""Members in the reports: the board sees how many members bought in the month, their share of the net sales and
who bought most, equal to the sales themselves; the facilitator sees the counts and the share, never a name."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import timedelta

from flask import Flask

from pos.core import clock
from pos.demo import MEMBER_NAMES
from pos.extensions import db
from pos.models import Member, Outlet, Sale


def test_the_board_s_member_figures_for_last_month_equal_the_sales(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    last = clock.today().replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    with app.app_context():
        cipare = db.select(Outlet.id).where(Outlet.cooperative_id == 1)
        bought: dict[str, int] = defaultdict(int)
        counted: dict[str, int] = defaultdict(int)
        rows = db.session.execute(
            db.select(Member.number, Sale.total, Sale.kind)
            .join(Member, Sale.member_id == Member.id)
            .where(Sale.outlet_id.in_(cipare), Sale.business_date.between(first, last))
        )
        for number, total, kind in rows:
            bought[number] += total
            counted[number] += kind == "sale"
        everything = db.session.scalar(
            db.select(db.func.sum(Sale.total)).where(
                Sale.outlet_id.in_(cipare), Sale.business_date.between(first, last)
            )
        )
    assert bought and everything
    client = login_as("pengurus")
    page = client.get(f"/reports/cooperative?start={first}&end={last}").get_data(as_text=True)
    buyers = sum(1 for n in counted.values() if n)
    assert f'{buyers}</span><span class="stat-label">dari 22 anggota berbelanja' in page
    share = round(sum(bought.values()) * 10000 / everything)
    assert f"{share // 100},{share % 100:02d}".rstrip("0").rstrip(",") + "%" in page
    exported = list(
        csv.reader(
            io.StringIO(
                client.get(f"/reports/cooperative?start={first}&end={last}&format=csv&table=members")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    top = [(row[0], int(row[3])) for row in exported[1:]]
    assert top == sorted(bought.items(), key=lambda kv: (-kv[1], kv[0]))[:10]


def test_the_facilitator_sees_member_counts_and_share_but_no_names(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    page = login_as("pemkot").get("/transparency").get_data(as_text=True)
    assert "Anggota koperasi yang berbelanja" in page and "penjualan bersih adalah belanja anggota" in page
    assert not [name for name in MEMBER_NAMES if name in page]
    assert "CPR-0" not in page
