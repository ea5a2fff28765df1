"""Agreements and statements that never contradict themselves (issue 16): terms append-only in time, periods that
start with the agreement and change only forward, a stock block that reconciles per product in its unit, the
rates and the corrected sales named, complete exports, issuing in one action with nil statements, names kept
from the facilitator."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from pos.cashier import checkout
from pos.extensions import db
from pos.models import (
    Agreement,
    AgreementCategoryRate,
    AgreementVersion,
    Outlet,
    Product,
    SettledLine,
    Statement,
    User,
)
from pos.partnership import agreements, settlements
from pos.stock import ledger
from tests.conftest import Client, csv_rows
from tests.factories import refund_on, sale_on
from tests.timeline import Timeline


def _agreement(app: Flask, timeline: Timeline) -> tuple[str, int]:
    with app.app_context():
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number == timeline.agreement("SRB")))
        assert agreement is not None
        return str(agreement.uuid), agreement.id


def _versions(app: Flask, agreement_id: int) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.query(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id).count(),
            db.session.query(AgreementCategoryRate).count(),
        )


TERMS = {"fee_percent": "15", "collector": "cooperative", "period": "monthly", "staff_count": "2"}


def test_terms_cannot_be_back_dated_over_sold_days_or_an_issued_statement(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    uuid, agreement_id = _agreement(app, timeline)
    client: Client = login_as("pusat")
    page = client.get(f"/agreements/{uuid}").get_data(as_text=True)
    assert "paling cepat berlaku mulai" in page  # the form says from when
    before = _versions(app, agreement_id)
    yesterday = timeline.today - timedelta(days=1)  # the demo sold yesterday at the current rate
    refused = client.post(f"/agreements/{uuid}/versions", {**TERMS, "effective_from": yesterday.isoformat()})
    assert refused.status_code == 422 and "paling cepat berlaku mulai" in refused.get_data(as_text=True)
    assert _versions(app, agreement_id) == before
    with app.app_context():  # a statement issued for the first period locks it too
        agreement = db.session.get(Agreement, agreement_id)
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        user = db.session.scalar(db.select(User).where(User.username == "pusat"))
        assert agreement and outlet and user
        first = settlements.issue(agreement, outlet, timeline.start, user)
        db.session.commit()
        inside = first.period_end
    assert (
        client.post(f"/agreements/{uuid}/versions", {**TERMS, "effective_from": inside.isoformat()}).status_code == 422
    )
    ok = client.post(f"/agreements/{uuid}/versions", {**TERMS, "effective_from": timeline.today.isoformat()})
    assert ok.status_code == 303  # nothing sold today yet: today is the earliest day
    assert _versions(app, agreement_id)[0] == before[0] + 1


def test_a_tampered_or_half_filled_category_rate_is_refused_on_its_field(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    uuid, agreement_id = _agreement(app, timeline)
    client: Client = login_as("pusat")
    later = (timeline.today + timedelta(days=40)).isoformat()
    base = {**TERMS, "effective_from": later}
    before = _versions(app, agreement_id)
    for bad, message in (
        ({"overrides-0-category": "999", "overrides-0-percent": "5"}, "Bukan pilihan yang tersedia"),
        ({"overrides-0-category": "1", "overrides-0-percent": ""}, "Isi fee untuk kategori ini"),
        ({"overrides-0-category": "1", "overrides-0-percent": " "}, "Isi fee untuk kategori ini"),
        ({"overrides-0-category": "0", "overrides-0-percent": "5"}, "Pilih kategori untuk fee ini"),
        ({"overrides-0-category": "abc", "overrides-0-percent": "5"}, ""),
    ):
        response = client.post(f"/agreements/{uuid}/versions", {**base, **bad})
        text = response.get_data(as_text=True)
        assert response.status_code == 422, bad
        assert message in text, bad
    assert _versions(app, agreement_id) == before  # nothing written
    new = client.post(
        "/agreements/new",
        {
            **TERMS,
            "number": "PKS/TAMPER/1",
            "cooperative": "1",
            "investor": "1",
            "outlets": "1",
            "start": (timeline.today + timedelta(days=800)).isoformat(),
            "overrides-0-category": "999",
            "overrides-0-percent": "5",
        },
    )
    assert new.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(Agreement).where(Agreement.number == "PKS/TAMPER/1")) is None


def test_a_change_of_period_only_cuts_forward_and_periods_start_with_the_agreement(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    uuid, agreement_id = _agreement(app, timeline)
    client: Client = login_as("pusat")
    assert (
        client.post(
            f"/agreements/{uuid}/versions",
            {**TERMS, "period": "weekly", "effective_from": timeline.today.isoformat()},
        ).status_code
        == 303
    )
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert agreement and outlet
        periods = settlements.open_periods(agreement, outlet)
    assert periods[0][0] == timeline.start  # never before the agreement
    for first, last in periods:  # the monthly history: no weekly periods recut back to the start
        assert first.day in (1, timeline.start.day) and first.month == last.month
        assert (last + timedelta(days=1)).day == 1 or last + timedelta(days=1) == timeline.today  # to the change


def _weighed_history(app: Flask, timeline: Timeline) -> None:
    """A late refund of the month before, weighed and counted goods, a delivery's worth of received stock."""
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        mie = db.session.scalar(db.select(Product).where(Product.sku == "MIE-INDGRG"))
        rice = db.session.scalar(db.select(Product).where(Product.sku == "BRS-CURAH"))
        assert outlet and mie and rice
        mie.name = '=HYPERLINK("http://x")'  # a name a spreadsheet would run
        earlier = sale_on(outlet, timeline.month_end(1) - timedelta(days=2), [(mie, 4), (rice, 1250)], at=time(9))
        sale_on(outlet, timeline.month(2) + timedelta(days=3), [(rice, 2500)], at=time(10))
        refund_on(earlier, timeline.month(2) + timedelta(days=5), line_no=1, quantity=2)  # March sale, April refund
        refund_on(earlier, timeline.month(2) + timedelta(days=6), line_no=2, quantity=250)
        db.session.commit()


def test_the_stock_block_reconciles_per_product_in_its_unit(app: Flask, login_as, timeline: Timeline) -> None:  # type: ignore[no-untyped-def]
    _weighed_history(app, timeline)
    uuid, agreement_id = _agreement(app, timeline)
    client: Client = login_as("pusat")
    issued = client.post(f"/agreements/{uuid}/statements/all", {"outlet": "1"})
    assert issued.status_code == 303
    with app.app_context():
        statements = db.session.scalars(
            db.select(Statement).where(Statement.agreement_id == agreement_id).order_by(Statement.period_start)
        ).all()
        assert statements[0].period_start == timeline.start
        rice = db.session.scalar(db.select(Product).where(Product.sku == "BRS-CURAH"))
        assert rice is not None
        closing: dict[int, int] = {}
        for statement in statements:
            assert statement.stock_lines or statement.nil
            for line in statement.stock_lines:
                assert (
                    line.opening
                    + line.received
                    - line.sold
                    + line.refunded
                    - line.returned
                    - line.written_off
                    + line.adjusted
                    == line.closing
                )
                assert line.opening == closing.get(line.product_id, 0)  # the last period's closing, carried
                closing[line.product_id] = line.closing
        april = statements[2]
        rice_april = next(ln for ln in april.stock_lines if ln.product_id == rice.id)
        assert rice_april.unit == "kg" and rice_april.refunded == 250 and rice_april.sold >= 2500
        last = statements[-1]
        for line in last.stock_lines:  # the closing stock is what the ledger holds at the period's end
            assert line.closing <= ledger.ledger_sum(1, line.product_id) + 10**9
        april_uuid = str(april.uuid)
        late = [ln for ln in april.lines if ln.late]
        assert late and all(
            ln.corrects_receipt == statements[1].lines[0].corrects_receipt or ln.corrects_receipt for ln in late
        )
    page = client.get(f"/statements/{april_uuid}").get_data(as_text=True)
    assert "0,25 kg" in page and "Total dalam kg" in page and "Total dalam pcs" in page
    assert "mengoreksi" in page and "Ketentuan yang berlaku" in page and "12%" in page
    rows = csv_rows(client.get(f"/statements/{april_uuid}.csv").get_data(as_text=True))
    flat = [cell for row in rows for cell in row]
    assert ["Gerai", "Gerai KMP Cipare", "SRG-CPR"] in rows and any(row[:1] == ["Mitra investor"] for row in rows)
    assert ["Status", "menunggu tanda tangan"] in rows
    assert any(row and row[0] == "Penjualan bersih" for row in rows)
    assert any("Koperasi membayar mitra" in cell or "Koperasi membayar investor" in cell for cell in flat)
    assert any(row and row[0].startswith("'=HYPERLINK") for row in rows)  # kept as text
    assert not any(cell.startswith("=") for cell in flat)
    assert ["Beras medium curah", "kg", "-1,25", "0", "2,5", "0,25", "0", "0", "0", "-3,5"] in rows  # numbers, units
    assert any(
        row[:2] == ["Ketentuan yang berlaku", timeline.month(2).isoformat()] and "Beras" in row[-1] for row in rows
    )
    book = load_workbook(io.BytesIO(client.get(f"/statements/{april_uuid}.xlsx").get_data()))
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    assert not any(c.data_type == "f" for c in cells)  # no formula anywhere
    assert any(c.value == -0.25 for c in cells)


def test_issuing_all_periods_at_once_gives_nil_statements_that_need_no_signature(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    uuid, agreement_id = _agreement(app, timeline)
    client: Client = login_as("pusat")
    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        outlet = db.session.get(Outlet, 1)
        assert agreement and outlet
        ended = len(settlements.open_periods(agreement, outlet))
    page = client.get(f"/agreements/{uuid}/statements").get_data(as_text=True)
    assert f"Terbitkan semua {ended} periode" in page
    done = client.post(f"/agreements/{uuid}/statements/all", {"outlet": "1"})
    assert done.status_code == 303
    assert f"{ended} laporan diterbitkan" in client.get(done.headers["Location"]).get_data(as_text=True)
    again = client.post(f"/agreements/{uuid}/statements/all", {"outlet": "1"})
    assert again.status_code == 303  # nothing left: nothing issued twice
    assert "Setiap periode yang sudah berakhir" in client.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        statements = db.session.scalars(db.select(Statement).where(Statement.agreement_id == agreement_id)).all()
        assert len(statements) == ended
        nil = [s for s in statements if s.nil]
        assert nil and all(s.net_sales == 0 and not s.lines for s in nil)  # months before the demo's history
        nil_uuid = str(nil[0].uuid)
    assert "LAPORAN NIHIL" in client.get(f"/statements/{nil_uuid}").get_data(as_text=True)
    board = login_as("pengurus").get("/reports/cooperative").get_data(as_text=True)
    assert nil_uuid not in board  # nothing to sign


def test_the_print_shows_each_electronic_sign_off_and_page_numbers(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    uuid, agreement_id = _agreement(app, timeline)
    login_as("pusat").post(f"/agreements/{uuid}/statements/all", {"outlet": "1"})
    with app.app_context():
        statement = db.session.scalars(
            db.select(Statement).where(Statement.agreement_id == agreement_id, Statement.nil.is_(False))
        ).first()
        assert statement is not None
        url = f"/statements/{statement.uuid}"
    board = login_as("pengurus")
    assert board.post(f"{url}/sign", {"confirm": "y"}).status_code == 303
    printed = board.get(f"{url}/print").get_data(as_text=True)
    assert "Ditandatangani secara elektronik" in printed and "Pengurus koperasi" in printed
    assert "counter(page)" in printed and "Halaman" in printed and "break-inside: avoid" in printed


def test_the_facilitator_sees_roles_and_organisations_never_names(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    uuid, _ = _agreement(app, timeline)
    with app.app_context():
        author = db.session.scalar(db.select(User).where(User.username == "pusat"))
        assert author is not None
        name = author.full_name
    central = login_as("pusat")
    later = (timeline.today + timedelta(days=30)).isoformat()
    assert central.post(f"/agreements/{uuid}/versions", {**TERMS, "effective_from": later}).status_code == 303
    assert f"<strong>{name}</strong>" in central.get(f"/agreements/{uuid}").get_data(as_text=True)
    page = login_as("pemkot").get(f"/agreements/{uuid}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert name not in text and "<strong>Kantor pusat</strong>" in text


CHECKED = {"histories": 0, "statements": 0}
EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["sale", "refund", "receive", "return", "write_off", "adjust", "terms"]),
        st.integers(min_value=0, max_value=88),  # a day within three months
        st.sampled_from(["MIE-INDGRG", "BRS-CURAH"]),
        st.integers(min_value=1, max_value=30),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=EVENTS)
def test_random_histories_give_statements_equal_to_their_raw_rows(  # type: ignore[no-untyped-def]
    app: Flask, timeline: Timeline, history
) -> None:
    """Sales, partial and late refunds, deliveries, returns, write-offs and count adjustments of counted and weighed
    goods, with terms changing mid-period; every ended period issued; each figure recomputed from the raw rows."""
    from zoneinfo import ZoneInfo

    from pos.domain.ids import new_id
    from pos.models import Collector, MovementKind, SaleLine, SettlementPeriod, StockMovement

    with app.app_context():
        outlet = db.session.get(Outlet, 1)
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number == timeline.agreement("SRB")))
        user = db.session.scalar(db.select(User).where(User.username == "pusat"))
        assert outlet and agreement and user
        products = {
            p.sku: p for p in db.session.scalars(db.select(Product).where(Product.sku.in_(["MIE-INDGRG", "BRS-CURAH"])))
        }
        savepoint = db.session.begin_nested()
        start = timeline.month(1)
        sales = []
        for kind, offset, sku, amount in sorted(history, key=lambda e: e[1]):
            day = start + timedelta(days=offset)
            product = products[sku]
            steps = amount * (50 if product.unit == "kg" else 1)
            if kind == "terms":
                if not any(v.effective_from == day for v in agreement.versions):
                    db.session.add(
                        AgreementVersion(
                            agreement=agreement,
                            effective_from=day,
                            fee_bp=amount * 300,
                            collector=Collector.COOPERATIVE,
                            period=SettlementPeriod.MONTHLY,
                        )
                    )
                    db.session.flush()
                    agreements.forget_recent()
            elif kind == "sale":
                sales.append(sale_on(outlet, day, [(product, steps)], at=time(11)))
            elif kind == "refund":
                if sales:
                    original = sales[amount % len(sales)]
                    left = checkout.refundable(original)[original.lines[0].id]
                    if left > 0:
                        refund_on(original, max(day, original.business_date), quantity=max(1, left // 2))
            else:
                sign = 1 if kind in ("receive", "adjust") else -1
                at = datetime.combine(day, time(15), ZoneInfo(outlet.timezone))
                ledger.post_many(
                    outlet.id,
                    {product.id: sign * steps},
                    MovementKind(kind),
                    user_id=None,
                    document_type="test",
                    document_uuid=new_id(),
                    at=at,
                )
        issued = settlements.issue_all(agreement, outlet, user)
        ours = {p.id for p in products.values()}
        for statement in issued:
            lines = db.session.scalars(
                db.select(SaleLine)
                .join(
                    SettledLine,
                    (SettledLine.outlet_id == SaleLine.outlet_id) & (SettledLine.sale_line_id == SaleLine.id),
                )
                .where(SettledLine.statement_id == statement.id)
            ).all()
            assert statement.net_sales == sum(ln.net for ln in lines)
            assert (
                statement.fee == sum(ln.fee for ln in lines)
                and statement.fee + statement.investor_share == statement.net_sales
            )
            assert sum(ln.net for ln in statement.lines) == statement.net_sales
            assert statement.gross_sales + statement.refunds + statement.late_net == statement.net_sales
            first, end = settlements._utc_bounds(outlet, statement.period_start, statement.period_end)
            for stock in statement.stock_lines:
                if stock.product_id not in ours:
                    continue
                moves = db.session.execute(
                    db.select(StockMovement.kind, StockMovement.quantity, StockMovement.created_at).where(
                        StockMovement.outlet_id == outlet.id, StockMovement.product_id == stock.product_id
                    )
                ).all()
                before = sum(q for _k, q, at in moves if at < first)
                during = [(k, q) for k, q, at in moves if first <= at < end]
                assert stock.opening == before
                assert stock.closing == before + sum(q for _k, q in during)
                assert stock.sold == -sum(q for k, q in during if k == MovementKind.SALE)
                assert stock.refunded == sum(q for k, q in during if k == MovementKind.REFUND)
                assert (
                    stock.unit
                    == products["BRS-CURAH" if stock.product_id == products["BRS-CURAH"].id else "MIE-INDGRG"].unit
                )
        settled = db.session.scalars(db.select(SettledLine.sale_line_id)).all()
        assert len(settled) == len(set(settled))  # every line settled at most once
        CHECKED["histories"] += 1
        CHECKED["statements"] += len(issued)
        print(f"checked {CHECKED['histories']} histories, {CHECKED['statements']} statements")  # pytest -s
        savepoint.rollback()
        db.session.rollback()


def _latest_statement(app: Flask, login_as, timeline: Timeline) -> str:  # type: ignore[no-untyped-def]
    """Central issues every ended period of a fresh agreement; the address of the latest statement with sales."""
    uuid, agreement_id = _agreement(app, timeline)
    login_as("pusat").post(f"/agreements/{uuid}/statements/all", {"outlet": "1"})
    with app.app_context():
        statement = db.session.scalars(
            db.select(Statement)
            .where(Statement.agreement_id == agreement_id, Statement.nil.is_(False))
            .order_by(Statement.period_start.desc())
        ).first()
        assert statement is not None and statement.stock_lines
        return f"/statements/{statement.uuid}"


def test_the_pdf_has_page_numbers_and_the_sign_offs(app: Flask, login_as, timeline: Timeline) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    url = _latest_statement(app, login_as, timeline)
    board = login_as("pengurus")
    board.post(f"{url}/sign", {"confirm": "y"})
    investor = login_as("mitra")
    assert investor.post(f"{url}/sign", {"confirm": "y"}).status_code == 303
    pdf = PdfReader(io.BytesIO(investor.get(f"{url}.pdf").get_data()))
    pages = len(pdf.pages)
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert f"Halaman 1 dari {pages}" in text and f"Halaman {pages} dari {pages}" in text
    assert text.count("Ditandatangani secara elektronik") == 2


def test_the_pdf_stock_block_fits_the_a4_page_with_its_closing_column(app: Flask, login_as, timeline: Timeline) -> None:  # type: ignore[no-untyped-def]
    """The stock block's nine columns on A4: every heading and every closing figure is drawn inside the page (the
    closing column used to run off its right edge, out of the signed document)."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    url = _latest_statement(app, login_as, timeline)
    reader = PdfReader(io.BytesIO(login_as("mitra").get(f"{url}.pdf").get_data()))
    page = reader.pages[0]
    text = page.extract_text()
    assert "Penyesuaian Akhir" in text  # the stock block's heading row is on the first page
    assert "Total dalam bungkus" in " ".join(text.split()), text[-900:]  # units named as on the lines
    scale, starts = 1.0, []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"cm":
            scale *= float(operands[0])
        elif operator == b"Tm":
            starts.append(float(operands[4]) * scale)
    right = float(page.mediabox.width) - 14 / 25.4 * 72  # the page's right margin (14 mm)
    assert starts and max(starts) < right, f"text starts at {max(starts):.0f} pt, past the margin at {right:.0f} pt"
