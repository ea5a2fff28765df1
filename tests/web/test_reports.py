"""Reports read rollups; every figure is recomputed here from the raw sales, lines, staff and deliveries and
compared. Each role sees its own; bad filters get a clear answer, never a 500 or another party's data."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func

from pos.core import clock
from pos.core.clock import business_date
from pos.domain.money import line_amount
from pos.domain.periods import report_default
from pos.domain.units import unit
from pos.extensions import db
from pos.models import (
    Agreement,
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    Investor,
    Outlet,
    Product,
    Sale,
    SaleLine,
    StaffMember,
)
from tests.conftest import Client, csv_rows
from tests.factories import sale_now
from tests.timeline import Span, Timeline, month_name, month_start


@pytest.fixture
def span(timeline: Timeline) -> Span:
    """A closed period that crosses a month end: a month rollup and day edges."""
    return timeline.span()


def _rp(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _csv(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "text/csv"
    return csv_rows(response.get_data(as_text=True))[1:]


def _raw_sales(first: date, last: date, outlet_codes: set[str] | None = None) -> dict[str, list[int]]:
    """Per outlet code: transactions, refunds, net total, fee, investor share."""
    out: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    query = (
        db.select(Outlet.code, Sale.kind, Sale.total, Sale.fee, Sale.investor_share)
        .join(Outlet, Sale.outlet_id == Outlet.id)
        .where(Sale.business_date >= first, Sale.business_date <= last)
    )
    for code, kind, total, fee, share in db.session.execute(query):
        if outlet_codes is not None and code not in outlet_codes:
            continue
        row = out[code]
        row[0 if kind == "sale" else 1] += 1
        row[2] += total
        row[3] += fee
        row[4] += share
    return out


def _raw_lines(first: date, last: date, key: str, investor_code: str | None = None) -> dict[str, list[int]]:
    """Per product SKU or outlet code: quantity, lines, net, fee, investor share."""
    out: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    query = (
        db.select(
            Product.sku,
            Outlet.code,
            Investor.code,
            SaleLine.quantity,
            SaleLine.net,
            SaleLine.fee,
            SaleLine.investor_share,
        )
        .join(Sale, SaleLine.sale_id == Sale.id)
        .join(Product, SaleLine.product_id == Product.id)
        .join(Investor, SaleLine.investor_id == Investor.id)
        .join(Outlet, Sale.outlet_id == Outlet.id)
        .where(Sale.business_date >= first, Sale.business_date <= last)
    )
    for sku, outlet, investor, quantity, net, fee, share in db.session.execute(query):
        if investor_code and investor != investor_code:
            continue
        row = out[sku if key == "product" else outlet]
        for n, v in enumerate((quantity, 1, net, fee, share)):
            row[n] += v
    return out


@pytest.mark.dates
def test_dashboard_figures_equal_the_raw_sales(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    today = business_date("Asia/Jakarta")  # central's day; the outlet's may differ (WITA)
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        products = db.session.scalars(db.select(Product).where(Product.sku.in_(["MIE-INDGRG", "BRS-CURAH"]))).all()
        assert outlet and len(products) == 2
        sale_now(outlet, [(products[0], 2), (products[1], 1000)])  # so that the 1st of a month has figures too
        db.session.commit()
        raw = _raw_sales(report_default(today)[0], today)  # this month, and last month too in a month's first week
    total, fee, count = (
        sum(r[2] for r in raw.values()),
        sum(r[3] for r in raw.values()),
        sum(r[0] for r in raw.values()),
    )
    assert total > 0
    page = client.get("/reports").get_data(as_text=True)
    assert _rp(total) in page and _rp(fee) in page and f'<span class="stat-value">{count}</span>' in page
    assert _rp(total // count) in page  # average basket
    assert "<svg" in page and "Gerai KMP Cipare" in page and "Beras" in page
    assert 'name="region"' in page or "Kota Serang" in page


@pytest.mark.dates
def test_a_report_opens_on_a_month_or_more_with_one_tap_periods(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    today = business_date("Asia/Jakarta")
    first, last = report_default(today)
    assert (last - first).days >= min(today.day - 1, 27) and (today.day >= 7 or first.month != today.month)
    page = client.get("/reports").get_data(as_text=True)
    assert f'name="start" value="{first.isoformat()}"' in page
    last_month_end = today.replace(day=1) - timedelta(days=1)
    for label, start, end in (
        ("Hari ini", today, today),
        ("Bulan ini", today.replace(day=1), today),
        ("Bulan lalu", last_month_end.replace(day=1), last_month_end),
        ("Tahun ini", today.replace(month=1, day=1), today),
    ):
        link = f"start={start.isoformat()}&amp;end={end.isoformat()}"
        assert link in page and label in page, label
    chosen = client.get(f"/reports?start={last_month_end.replace(day=1)}&end={last_month_end}").get_data(as_text=True)
    assert 'aria-current="true">Bulan lalu</a>' in chosen
    assert 'class="axis"' in chosen and "Rp0" in chosen  # the chart's value axis


@pytest.mark.dates
def test_a_period_across_a_month_end_reconciles_every_table(span: Span, app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    with app.app_context():
        raw = _raw_sales(span.first, span.last)
        raw_products = _raw_lines(span.first, span.last, "product")
        days: dict[date, int] = defaultdict(int)
        for day, total in db.session.execute(
            db.select(Sale.business_date, Sale.total).where(
                Sale.business_date >= span.first, Sale.business_date <= span.last
            )
        ):
            days[day] += total
    outlets = {row[0]: [int(v) for v in row[3:8]] for row in _csv(client, f"/reports/outlets?{span.query}&format=csv")}
    assert outlets["SRG-CPR"] == raw["SRG-CPR"] and outlets["SRG-KDR"] == [0] * 5
    products = {
        row[0]: (int(row[5]), int(row[6])) for row in _csv(client, f"/reports/products?{span.query}&format=csv")
    }
    assert products == {sku: (v[1], v[2]) for sku, v in raw_products.items()}
    by_day = {date.fromisoformat(row[0]): int(row[1]) for row in _csv(client, f"/reports?{span.query}&format=csv")}
    assert len(by_day) == (span.last - span.first).days + 1
    assert {d: v for d, v in by_day.items() if v} == {d: v for d, v in days.items() if v}
    page = client.get(f"/reports?{span.query}").get_data(as_text=True)
    assert _rp(sum(v[2] for v in raw.values())) in page
    xlsx = client.get(f"/reports/outlets?{span.query}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_filters_by_investor_and_region_reconcile(span: Span, app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    with app.app_context():
        by_outlet = _raw_lines(span.first, span.last, "outlet", investor_code="SRB")
        by_product = _raw_lines(span.first, span.last, "product", investor_code="SRB")
    page = client.get(f"/reports?{span.query}&investor=SRB").get_data(as_text=True)
    assert _rp(by_outlet["SRG-CPR"][2]) in page and _rp(by_outlet["SRG-CPR"][4]) in page
    products = {row[0]: int(row[6]) for row in _csv(client, f"/reports/products?{span.query}&investor=SRB&format=csv")}
    assert products == {sku: v[2] for sku, v in by_product.items()}
    region = client.get(f"/reports/outlets?{span.query}&region=Kota+Serang&format=csv").get_data(as_text=True)
    assert "SRG-KDR" in region and "SRG-CPR" not in region  # Cipare's cooperative is in "Kota Serang, Banten"


@pytest.mark.dates
def test_jobs_table_counts_new_jobs_from_the_staff_register(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    today = business_date("Asia/Jakarta")
    with app.app_context():
        raw = dict(
            db.session.execute(
                db.select(Outlet.code, func.count(StaffMember.id))
                .join(Outlet, StaffMember.outlet_id == Outlet.id)
                .where(StaffMember.new_job.is_(True), StaffMember.start_date <= today)
                .where(StaffMember.end_date.is_(None) | (StaffMember.end_date >= today))
                .group_by(Outlet.code)
            ).all()
        )
    rows = {row[0]: int(row[4]) for row in _csv(client, "/reports/jobs?format=csv")}
    assert rows == {"SRG-CPR": raw["SRG-CPR"], "SRG-KDR": 0}
    below = _csv(client, "/reports/jobs?below=1&format=csv")
    assert [row[0] for row in below] == ["SRG-KDR"]
    page = client.get("/reports").get_data(as_text=True)
    assert "Gerai KMP Kaduagung" in page and "1 / 2" in page  # one of two outlets below the target


@pytest.mark.dates
def test_monthly_programme_report_prints_and_is_a_pdf(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    today = business_date("Asia/Jakarta")
    month, previous = month_start(today, -1), month_start(today, -2)
    with app.app_context():
        raw = _raw_sales(month, month_start(today) - timedelta(days=1))
        before = _raw_sales(previous, month - timedelta(days=1))
    assert raw["SRG-CPR"][2] > 0 and before["SRG-CPR"][2] > 0
    page = client.get(f"/reports/monthly?month={month:%Y-%m}").get_data(as_text=True)
    assert _rp(raw["SRG-CPR"][2]) in page and _rp(raw["SRG-CPR"][3]) in page
    assert _rp(before["SRG-CPR"][2]) in page  # the previous month for comparison
    assert month_name(month) in page and "<svg" in page
    pdf = client.get(f"/reports/monthly?month={month:%Y-%m}&format=pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-" and pdf.mimetype == "application/pdf"


@pytest.mark.dates
def test_cooperative_board_report_reconciles_fee_income_by_month(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pengurus")
    with app.app_context():
        fees: dict[str, int] = defaultdict(int)
        for day, fee in db.session.execute(db.select(Sale.business_date, Sale.fee)):
            fees[day.strftime("%Y-%m")] += fee
    months = {row[0]: int(row[3]) for row in _csv(client, "/reports/cooperative?format=csv&table=months")}
    assert len(months) == 12
    assert {m: v for m, v in months.items() if v} == {m: v for m, v in fees.items() if v}
    page = client.get("/reports/cooperative").get_data(as_text=True)
    assert "Koperasi Kelurahan Merah Putih Cipare" in page and "<svg" in page
    for table in ("outlets", "sign", "outstanding", "stock", "staff"):
        assert client.get(f"/reports/cooperative?format=xlsx&table={table}").status_code == 200
    staff = client.get("/reports/cooperative?format=csv&table=staff").get_data(as_text=True)
    assert "Siti Rahmawati" in staff and "3604015203990001" not in staff  # a board never sees national ids
    stock = _csv(client, "/reports/cooperative?format=csv&table=stock")
    assert {row[0] for row in stock} == {"CV Sumber Rezeki Banten", "PT Mitra Niaga Serang"}


@pytest.mark.dates
def test_investor_report_reconciles_sales_share_and_goods_delivered(span: Span, app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra")
    zone = ZoneInfo("Asia/Jakarta")
    with app.app_context():
        lines = _raw_lines(span.first, span.last, "outlet", investor_code="SRB")
        products = _raw_lines(span.first, span.last, "product", investor_code="SRB")
        since = datetime.combine(span.first, time.min, zone).astimezone(UTC)
        until = datetime.combine(span.last + timedelta(days=1), time.min, zone).astimezone(UTC)
        delivered = 0
        for good, product in db.session.execute(
            db.select(DeliveryLine.received, Product)
            .join(Delivery, DeliveryLine.delivery_id == Delivery.id)
            .join(Product, DeliveryLine.product_id == Product.id)
            .join(Investor, Delivery.investor_id == Investor.id)
            .where(Investor.code == "SRB", Delivery.status == DeliveryStatus.RECEIVED)
            .where(Delivery.received_at >= since, Delivery.received_at < until)
        ):
            price = product.cost if product.cost is not None else product.price
            delivered += line_amount(good or 0, price, unit(product.unit).step_per_unit)
    outlets = {row[0]: row for row in _csv(client, f"/reports/investor?{span.query}&format=csv&table=outlets")}
    row = outlets["SRG-CPR"]
    assert [int(v) for v in row[2:7]] == [lines["SRG-CPR"][1], *lines["SRG-CPR"][2:5], delivered]
    by_product = {
        r[0]: (int(r[4]), int(r[6])) for r in _csv(client, f"/reports/investor?{span.query}&format=csv&table=products")
    }
    assert by_product == {sku: (v[2], v[4]) for sku, v in products.items()}
    page = client.get(f"/reports/investor?{span.query}").get_data(as_text=True)
    assert _rp(lines["SRG-CPR"][4]) in page and "CV Sumber Rezeki Banten" in page
    for table in ("stock", "statements"):
        assert client.get(f"/reports/investor?format=xlsx&table={table}").status_code == 200


@pytest.mark.dates
def test_transparency_registry_reconciles_and_shows_nothing_personal(  # type: ignore[no-untyped-def]
    span: Span, timeline: Timeline, app: Flask, login_as
) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pemkot")
    with app.app_context():
        expected = {}
        for agreement in db.session.scalars(db.select(Agreement)):
            outlet_ids = [o.id for o in agreement.outlets]
            first = max(span.first, agreement.start_date)
            last = min(span.last, agreement.end_date or span.last)
            net = db.session.scalar(
                db.select(func.coalesce(func.sum(SaleLine.net), 0))
                .join(Sale, SaleLine.sale_id == Sale.id)
                .where(SaleLine.investor_id == agreement.investor_id, Sale.outlet_id.in_(outlet_ids))
                .where(Sale.business_date >= first, Sale.business_date <= last)
            )
            expected[agreement.number] = int(net)
        personal = [
            *db.session.scalars(db.select(StaffMember.full_name)),
            *(n for n in db.session.scalars(db.select(StaffMember.national_id)) if n),
            *db.session.scalars(db.select(Investor.contact_name)),
            *db.session.scalars(db.select(Investor.phone)),
            "H. Ahmad Fauzi",
        ]
    rows = {row[0]: int(row[8]) for row in _csv(client, f"/transparency?{span.query}&format=csv")}
    assert rows == expected and len(rows) == 3
    page = client.get(f"/transparency?{span.query}").get_data(as_text=True)
    csv_text = client.get(f"/transparency?{span.query}&format=csv").get_data(as_text=True)
    assert timeline.agreement("SRB") in page and "fee 12%" in page
    today = business_date("Asia/Jakarta")
    with app.app_context():
        new_jobs = db.session.scalar(
            db.select(func.count(StaffMember.id)).where(
                StaffMember.new_job.is_(True),
                StaffMember.start_date <= today,
                StaffMember.end_date.is_(None) | (StaffMember.end_date >= today),
            )
        )
    end_today = client.get("/transparency").get_data(as_text=True)
    assert f'<span class="stat-value">{new_jobs}</span>' in end_today  # an outlet's jobs counted once
    cards, _, table = end_today.partition("<h2>Lapangan kerja per gerai</h2>")
    assert table, "the registry lists jobs per outlet"
    assert "<dt>Lapangan kerja baru</dt>" not in cards  # no partnership card repeats its outlets' jobs
    rows = re.findall(r"<tr[^>]*><td>(Gerai KMP [^<]+)</td>", table)
    assert len(rows) == len(set(rows)) and "Gerai KMP Cipare" in rows  # each outlet once
    total = re.search(r"<tfoot>.*?<strong>(\d+)</strong>", table, re.S)
    assert total and int(total.group(1)) == new_jobs
    for text in filter(None, personal):
        assert text not in page and text not in csv_text, text


ROLE_PAGES = [
    "/reports",
    "/reports/outlets",
    "/reports/products",
    "/reports/jobs",
    "/reports/monthly",
    "/reports/cooperative",
    "/reports/investor",
    "/transparency",
]


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("kasir_pw", set()),
        ("manajer", set()),
        ("pemkot", {"/transparency"}),
        ("mitra", {"/reports/investor", "/transparency"}),
        ("pengurus", set(ROLE_PAGES) - {"/reports/investor"}),
        ("pusat", set(ROLE_PAGES)),
    ],
)
def test_each_role_reaches_only_its_reports_and_exports(login_as, username: str, allowed: set[str]) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as(username)
    for url in ROLE_PAGES:
        for suffix in ("", "?format=csv"):
            if url == "/reports/monthly" and suffix:
                continue
            status = client.get(url + suffix).status_code
            assert (status == 200) == (url in allowed), (username, url + suffix, status)
            assert status in (200, 403), (url, status)


def test_a_board_sees_only_its_cooperative_everywhere(span: Span, app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pengurus_b")
    page = client.get(f"/reports?{span.query}").get_data(as_text=True)
    assert "Gerai KMP Cipare" not in page and "Gerai KMP Kaduagung" in page
    assert client.get("/reports?outlet=SRG-CPR").status_code == 404
    assert client.get("/reports?cooperative=KMP-CIPARE").status_code == 404
    assert client.get("/reports/cooperative?cooperative=KMP-CIPARE").status_code == 404
    assert client.get("/reports?region=Kota+Serang%2C+Banten").status_code == 404
    for url in ("/reports/outlets", "/reports/products", "/reports/jobs", "/transparency"):
        text = client.get(f"{url}?{span.query}&format=csv").get_data(as_text=True)
        assert "Cipare" not in text and "SRG-CPR" not in text and "BRS-" not in text, url
    for table in ("months", "outlets", "sign", "outstanding", "stock", "staff"):
        text = client.get(f"/reports/cooperative?format=csv&table={table}").get_data(as_text=True)
        assert "Cipare" not in text and "Sumber Rezeki" not in text, table
    monthly = client.get(f"/reports/monthly?month={span.first:%Y-%m}").get_data(as_text=True)
    assert "Cipare" not in monthly and "Rp0" in monthly
    # an investor that supplies none of its outlets is not even offered, and its code answers 404
    assert "Sumber Rezeki" not in client.get(f"/reports?{span.query}").get_data(as_text=True)
    assert client.get(f"/reports?{span.query}&investor=SRB").status_code == 404


def test_an_investor_sees_only_its_own_business(span: Span, app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra_b")
    assert client.get("/reports/investor?investor=SRB").status_code == 404
    assert client.get("/reports/investor?outlet=SRG-CPR").status_code == 404  # an outlet it does not supply
    page = client.get(f"/reports/investor?{span.query}").get_data(as_text=True)
    assert "UD Lain Jaya" in page and "Sumber Rezeki" not in page and "Gerai KMP Cipare" not in page
    for table in ("outlets", "products", "stock", "statements"):
        text = client.get(f"/reports/investor?format=csv&table={table}").get_data(as_text=True)
        assert "Cipare" not in text and "BRS-" not in text, table
    registry = client.get("/transparency?format=csv").get_data(as_text=True)
    assert "PKS/KMP-KDR/LAIN/2026" in registry and "SRB" not in registry and "MNS" not in registry
    client.logout()
    own: Client = login_as("mitra")
    text = own.get(f"/reports/investor?{span.query}&format=csv&table=products").get_data(as_text=True)
    assert "BRS-" in text and "LAIN-01" not in text and "Mitra Niaga" not in text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/reports?start=2026-05-01&end=2026-01-01", 422),
        ("/reports?start=2020-01-01&end=2026-01-01", 422),
        ("/reports?start=nonsense", 422),
        ("/reports?end=2026-02-30", 422),
        ("/reports?start=9999-12-31&end=9999-12-31", 422),
        ("/reports/outlets?start=9999-12-01&end=9999-12-31", 422),
        ("/reports/products?start=0001-01-01&end=0001-01-31", 422),
        ("/reports/cooperative?cooperative=KMP-CIPARE&start=9999-12-31&end=9999-12-31", 422),
        ("/reports?region=" + "x" * 200, 422),
        ("/reports?cooperative=NOPE", 404),
        ("/reports?investor=NOPE", 404),
        ("/reports?outlet=NOPE", 404),
        ("/reports?region=Atlantis", 404),
        ("/reports/outlets?page=abc", 200),
        ("/reports/outlets?page=-3", 200),
        ("/reports/outlets?page=99999999999999999999", 200),
        ("/reports/jobs?page=100000", 200),
        ("/reports/monthly?month=2026-13", 422),
        ("/reports/monthly?month=abcd", 422),
        ("/reports/monthly?month=2099-01", 422),
        ("/reports/cooperative?cooperative=KMP-CIPARE&format=csv&table=nope", 404),
        ("/reports/investor?investor=SRB&format=doc", 400),
        ("/transparency?start=2026-12-01&end=2026-01-01", 422),
        ("/transparency?format=csv&start=1900-01-01&end=1900-12-31", 422),
    ],
)
def test_bad_filters_get_a_clear_answer(login_as, url: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("pusat")
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    if status == 422:
        assert "Periksa" in response.get_data(as_text=True) or "Pilih" in response.get_data(as_text=True)


@pytest.mark.dates
def test_jobs_follow_staff_changes_and_stay_right_on_a_new_day_before_the_recount(  # type: ignore[no-untyped-def]
    app: Flask, login_as, today: date
) -> None:
    from pos.models import OutletStaffing

    central: Client = login_as("pusat")
    assert "1 / 2" in central.get("/reports").get_data(as_text=True)  # Kaduagung has nobody yet
    central.logout()
    manager: Client = login_as("manajer_b")
    for name in ("Ani", "Budi"):
        person = {
            "full_name": name,
            "role": "cashier",
            "employer": "cooperative",
            "start_date": (today - timedelta(days=30)).isoformat(),
        }
        assert manager.post("/staff/new", {**person, "new_job": "y"}).status_code == 303
    manager.logout()
    central = login_as("pusat")
    assert "0 / 2" in central.get("/reports").get_data(as_text=True)
    with app.app_context():  # yesterday's counts (a staff member's end date may have passed since)
        db.session.execute(
            db.update(OutletStaffing).values(as_of=business_date("Asia/Jakarta") - timedelta(days=1), new_jobs=0)
        )
        db.session.commit()
    assert "0 / 2" in central.get("/reports").get_data(as_text=True)  # counted from the register meanwhile
    with app.app_context():  # reading wrote nothing
        stale = business_date("Asia/Jakarta") - timedelta(days=1)
        assert {s.as_of for s in db.session.scalars(db.select(OutletStaffing))} == {stale}
    assert app.test_cli_runner().invoke(args=["daily"], catch_exceptions=False).exit_code == 0
    with app.app_context():
        assert {s.as_of for s in db.session.scalars(db.select(OutletStaffing))} == {business_date("Asia/Jakarta")}
    assert "0 / 2" in central.get("/reports").get_data(as_text=True)


def test_central_lists_outlets_that_have_not_synced(db_path, login_as) -> None:  # type: ignore[no-untyped-def]
    from pos.models import OutletSyncState
    from tests.conftest import PASSWORDS, make_app

    central = make_app(f"sqlite:///{db_path}", POS_ROLE="central")
    with central.app_context():
        cipare = db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-CPR"))
        db.session.merge(OutletSyncState(outlet_id=cipare, last_seen_at=clock.now() - timedelta(hours=30)))
        db.session.commit()
    client = Client(central.test_client())
    client.login("pusat", PASSWORDS.get("pusat", "demo-kmp-2026"))
    page = client.get("/reports").get_data(as_text=True)
    silent = page[page.index("Gerai tidak sinkron selama 24 jam") :]
    assert "Gerai KMP Kaduagung" in silent and "belum pernah" in silent and "Gerai KMP Cipare" in silent
    with central.app_context():
        db.session.merge(OutletSyncState(outlet_id=cipare, last_seen_at=clock.now()))
        db.session.commit()
    page = client.get("/reports").get_data(as_text=True)
    silent = page[page.index("Gerai tidak sinkron selama 24 jam") :]
    assert "Gerai KMP Kaduagung" in silent and "Gerai KMP Cipare" not in silent
    exported = client.get("/reports?format=csv&table=silent").get_data(as_text=True)
    assert "SRG-KDR" in exported and "SRG-CPR" not in exported


@pytest.mark.dates
def test_settlement_figures_on_the_board_investor_and_monthly_reports_equal_the_statements(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    from pos.models import Statement, StatementPayment, User
    from pos.partnership import settlements
    from tests.web.test_settlements import _seed_march

    _seed_march(app, timeline)
    with app.app_context():
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number == timeline.agreement("SRB")))
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        user = db.session.scalar(db.select(User).where(User.username == "pusat"))
        settlements.issue(agreement, outlet, timeline.start, user)  # type: ignore[arg-type]
        march = settlements.issue(agreement, outlet, timeline.month(1), user)  # type: ignore[arg-type]
        db.session.commit()
        march_url, march_no, payable = f"/statements/{march.uuid}", march.number, march.amount_payable
    board: Client = login_as("pengurus")
    assert board.post(f"{march_url}/sign", {"confirm": "y"}).status_code == 303
    part = payable // 3
    paid = board.post(
        f"{march_url}/payments",
        {"paid_on": (timeline.month(2) + timedelta(days=4)).isoformat(), "amount": str(part), "method": "transfer"},
    )
    assert paid.status_code == 303
    with app.app_context():
        raw = {
            s.number: (s.amount_payable, sum(p.amount for p in s.payments), s.board_signed_at is not None or s.nil)
            for s in db.session.scalars(db.select(Statement))
        }  # a nil statement needs no signature
        raw_paid = db.session.scalar(db.select(func.sum(StatementPayment.amount)))
    to_sign = {row[0] for row in _csv(board, "/reports/cooperative?format=csv&table=sign")}
    assert to_sign == {number for number, (_p, _paid, signed) in raw.items() if not signed}
    assert march_no not in to_sign
    outstanding = {
        row[0]: (int(row[6]), int(row[7]), int(row[8]))
        for row in _csv(board, "/reports/cooperative?format=csv&table=outstanding")
    }
    assert outstanding == {n: (p, pd, p - pd) for n, (p, pd, _s) in raw.items() if p - pd > 0}
    assert outstanding[march_no] == (payable, part, payable - part)
    board.logout()
    investor: Client = login_as("mitra")
    status = {row[0]: row for row in _csv(investor, "/reports/investor?format=csv&table=statements")}
    assert set(status) == set(raw) and int(status[march_no][7]) == payable - part and status[march_no][8] == "tidak"
    investor.logout()
    central: Client = login_as("pusat")
    monthly = central.get(f"/reports/monthly?month={timeline.month(1):%Y-%m}").get_data(as_text=True)
    assert _rp(payable) in monthly and _rp(raw_paid) in monthly
