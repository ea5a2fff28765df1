"""Partnership agreements and settlement statements through the web, and their invariants."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.extensions import db
from pos.models import (
    Agreement,
    AgreementVersion,
    AuditEvent,
    Collector,
    Investor,
    Outlet,
    Product,
    Sale,
    SaleLine,
    SettledLine,
    SettlementPeriod,
    Statement,
    User,
)
from pos.partnership import agreements, settlements
from tests.conftest import Client
from tests.factories import refund_on, sale_on
from tests.timeline import Timeline, month_end, month_name, month_start


def _ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            "coop": db.session.scalar(db.select(Outlet.cooperative_id).where(Outlet.code == "SRG-CPR")),
            "outlet": db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-CPR")),
            "other_outlet": db.session.scalar(db.select(Outlet.id).where(Outlet.code == "SRG-KDR")),
        }


def _agreement_uuid(app: Flask, number: str) -> str:
    with app.app_context():
        return str(db.session.scalar(db.select(Agreement.uuid).where(Agreement.number == number)))


def test_central_creates_an_agreement_and_bad_terms_are_refused(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    client: Client = login_as("pusat")
    ids = _ids(app)
    later = timeline.month(26)  # the demo's SRB agreement at this outlet runs two years: this one does not overlap
    base = {
        "number": "PKS/BARU/1",
        "cooperative": ids["coop"],
        "investor": 1,
        "outlets": ids["outlet"],
        "start": later.isoformat(),
        "end": month_end(later, 11).isoformat(),
        "fee_percent": "10",
        "collector": "cooperative",
        "period": "monthly",
        "staff_count": "2",
        "overrides-0-category": "0",
        "overrides-0-percent": "",
    }
    for bad in (
        {"fee_percent": "101"},
        {"fee_percent": "-5"},
        {"fee_percent": "abc"},
        {"end": (later - timedelta(days=1)).isoformat()},  # ends before it starts
        {"start": timeline.month(1).isoformat()},  # overlaps the SRB agreement
        {"outlets": ids["other_outlet"]},  # an outlet of another cooperative
        {"number": timeline.agreement("SRB")},
    ):
        response = client.post("/agreements/new", {**base, **bad})
        assert response.status_code in (403, 409, 422), bad
    with app.app_context():
        assert db.session.scalar(db.select(Agreement).where(Agreement.number == "PKS/BARU/1")) is None
    ok = client.post("/agreements/new", {**base, "overrides-0-category": "1", "overrides-0-percent": "7,5"})
    assert ok.status_code == 303
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "PKS/BARU/1" in page and "7,5%" in page and "10%" in page and "membuat perjanjian" in page


def test_new_terms_apply_from_their_date_and_old_ones_stay_readable(  # type: ignore[no-untyped-def]
    app: Flask, login_as, timeline: Timeline
) -> None:
    client: Client = login_as("pusat")
    uuid = _agreement_uuid(app, timeline.agreement("SRB"))
    effective = month_start(timeline.today, 3)
    data = {
        "effective_from": effective.isoformat(),
        "fee_percent": "14",
        "collector": "cooperative",
        "period": "monthly",
        "staff_count": "3",
    }
    assert client.post(f"/agreements/{uuid}/versions", data).status_code == 303
    again = client.post(f"/agreements/{uuid}/versions", data)
    assert again.status_code == 422  # one version per date
    after_end = timeline.month(25).isoformat()  # the demo's agreement runs two years
    outside = client.post(f"/agreements/{uuid}/versions", {**data, "effective_from": after_end})
    assert outside.status_code == 422
    page = client.get(f"/agreements/{uuid}").get_data(as_text=True)
    assert "12%" in page and "14%" in page
    with app.app_context():
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number == timeline.agreement("SRB")))
        assert agreement is not None
        book_before = agreements.RateBook(1, effective - timedelta(days=1))
        book_after = agreements.RateBook(1, effective)
        assert book_before.rate(agreement.investor_id, 99).fee_bp == 1200  # type: ignore[union-attr]
        assert book_after.rate(agreement.investor_id, 99).fee_bp == 1400  # type: ignore[union-attr]


def test_only_editors_change_agreements_and_others_see_their_own(
    app: Flask, client: Client, timeline: Timeline
) -> None:
    uuid = _agreement_uuid(app, timeline.agreement("SRB"))
    other = _agreement_uuid(app, "PKS/KMP-KDR/LAIN/2026")
    client.login("pengurus")
    assert client.get(f"/agreements/{uuid}").status_code == 200
    assert client.get(f"/agreements/{other}").status_code == 404
    assert client.post(f"/agreements/{uuid}/versions", {}).status_code == 403
    client.logout()
    client.login("mitra2")  # investor MNS: not this SRB agreement
    assert client.get(f"/agreements/{uuid}").status_code == 404
    assert "PKS/KMP-CIPARE/MNS" in client.get("/agreements").get_data(as_text=True)
    assert timeline.agreement("SRB") not in client.get("/agreements").get_data(as_text=True)


def _seed_march(app: Flask, t: Timeline) -> None:
    """Sales at the edges of the partnership's first whole month ("March": the demo's agreements start on the
    18th of a month, "February")."""
    outlet_id = _ids(app)["outlet"]
    with app.app_context():
        outlet = db.session.get(Outlet, outlet_id)
        mie = db.session.scalar(db.select(Product).where(Product.sku == "MIE-INDGRG"))
        rice = db.session.scalar(db.select(Product).where(Product.sku == "BRS-CURAH"))
        assert outlet and mie and rice
        first = sale_on(outlet, t.month(1), [(mie, 3), (rice, 1500)], at=time(0, 0, 1))  # first second of the period
        sale_on(outlet, t.month_end(1), [(mie, 2)], at=time(23, 59, 59))  # last second
        sale_on(outlet, t.month(2), [(mie, 1)], at=time(0, 0, 0))  # next period
        refund_on(first, t.month(1) + timedelta(days=9))
        db.session.commit()


@pytest.mark.dates
def test_statement_for_a_closed_month_equals_its_lines(app: Flask, login_as, timeline: Timeline) -> None:  # type: ignore[no-untyped-def]
    _seed_march(app, timeline)
    client: Client = login_as("pusat")
    uuid = _agreement_uuid(app, timeline.agreement("SRB"))
    feb, march = timeline.start.isoformat(), timeline.month(1).isoformat()
    page = client.get(f"/agreements/{uuid}/statements").get_data(as_text=True)
    assert march in page and feb in page and timeline.month(0).isoformat() not in page  # from the agreement's day
    early = client.post(f"/agreements/{uuid}/statements", {"outlet": _ids(app)["outlet"], "period_start": march})
    assert early.status_code == 422  # the month the agreement started in (on the 18th) comes first
    before = client.post(
        f"/agreements/{uuid}/statements", {"outlet": _ids(app)["outlet"], "period_start": timeline.month(0).isoformat()}
    )
    assert before.status_code == 422  # no period starts before the agreement
    first = client.post(f"/agreements/{uuid}/statements", {"outlet": _ids(app)["outlet"], "period_start": feb})
    assert first.status_code == 303
    response = client.post(f"/agreements/{uuid}/statements", {"outlet": _ids(app)["outlet"], "period_start": march})
    assert response.status_code == 303
    with app.app_context():
        statement = db.session.scalar(db.select(Statement).where(Statement.period_start == timeline.month(1)))
        assert statement is not None
        lines = db.session.scalars(db.select(SaleLine).join(SettledLine, SettledLine.sale_line_id == SaleLine.id)).all()
        # 3 mie + 1.5 kg rice on the 1st, refund of the mie line, 2 mie on the last day; not the next month's 1st.
        assert statement.net_sales == sum(ln.net for ln in lines) == 3 * 3500 + 20_250 - 3 * 3500 + 2 * 3500
        assert statement.fee == sum(ln.fee for ln in lines)
        assert statement.fee + statement.investor_share == statement.net_sales
        assert statement.refunds == -10_500 and statement.sold_units == 3 + 1500 + 2
        assert statement.amount_payable == statement.investor_share  # the cooperative collected the money
        assert statement.number == f"BH-SRG-CPR-SRB-{timeline.month(1):%Y%m%d}"
    again = client.post(f"/agreements/{uuid}/statements", {"outlet": _ids(app)["outlet"], "period_start": march})
    assert again.status_code == 409
    current = client.post(
        f"/agreements/{uuid}/statements",
        {"outlet": _ids(app)["outlet"], "period_start": timeline.today.replace(day=1).isoformat()},
    )
    assert current.status_code == 422  # the period has not ended
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"BH-SRG-CPR-SRB-{timeline.month(1):%Y%m%d}" in detail and "menerbitkan laporan" in detail


def test_sign_pay_dispute_and_documents(app: Flask, client: Client, timeline: Timeline) -> None:
    _seed_march(app, timeline)
    paid_on = (timeline.month(2) + timedelta(days=4)).isoformat()
    outlet_id = _ids(app)["outlet"]
    with app.app_context():
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number == timeline.agreement("SRB")))
        outlet = db.session.get(Outlet, outlet_id)
        user = db.session.scalar(db.select(User).where(User.username == "pusat"))
        settlements.issue(agreement, outlet, timeline.start, user)  # type: ignore[arg-type]
        statement = settlements.issue(agreement, outlet, timeline.month(1), user)  # type: ignore[arg-type]
        db.session.commit()
        url, payable = f"/statements/{statement.uuid}", statement.amount_payable
    client.login("pengurus")
    unconfirmed = client.post(f"{url}/sign")
    assert unconfirmed.status_code == 422 and "Centang kotak" in unconfirmed.get_data(as_text=True)
    assert client.post(f"{url}/sign", {"confirm": "y"}).status_code == 303
    assert client.post(f"{url}/sign", {"confirm": "y"}).status_code == 409  # signing twice
    over = client.post(f"{url}/payments", {"paid_on": paid_on, "amount": str(payable + 1), "method": "transfer"})
    assert over.status_code == 422
    for bad in ({"amount": "1,5"}, {"amount": "-10"}, {"method": "gold"}, {"paid_on": "2099-01-01"}):
        data = {"paid_on": paid_on, "amount": "1000", "method": "transfer", **bad}
        assert client.post(f"{url}/payments", data).status_code == 422, bad
    paid = client.post(
        f"{url}/payments",
        {"paid_on": paid_on, "amount": str(payable), "method": "transfer", "reference": "BRI 0042"},
    )
    assert paid.status_code == 303
    assert client.post(f"{url}/disputes", {"comment": "Stok opname belum cocok"}).status_code == 303
    client.logout()
    client.login("mitra")
    page = client.get(url).get_data(as_text=True)
    assert "Stok opname belum cocok" in page and "BRI 0042" in page
    assert client.post(f"{url}/payments", {"paid_on": paid_on, "amount": "1", "method": "cash"}).status_code == 403
    assert client.post(f"{url}/sign", {"confirm": "y"}).status_code == 303
    csv_text = client.get(f"{url}.csv").get_data(as_text=True)
    assert "Indomie" in csv_text and f";{payable}" in csv_text  # the total's investor share is what was payable
    xlsx = client.get(f"{url}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    pdf = client.get(f"{url}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    printed = client.get(f"{url}/print").get_data(as_text=True)
    assert "Ketua koperasi" in printed and "Pengawas" in printed
    client.logout()
    client.login("mitra_b", "other-pass-2026")  # another investor
    assert client.get(url).status_code == 404 and client.get(f"{url}.pdf").status_code == 404
    with app.app_context():
        actions = [
            e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.subject_type == "statement"))
        ]
        assert actions == ["issued", "issued", "signed_board", "payment", "dispute", "signed_investor"]


@pytest.mark.dates
def test_cooperative_fee_view_keeps_income_apart(app: Flask, login_as, timeline: Timeline) -> None:  # type: ignore[no-untyped-def]
    _seed_march(app, timeline)
    client = login_as("pengurus")
    march = f"start={timeline.month(1).isoformat()}&end={timeline.month_end(1).isoformat()}"
    page = client.get(f"/fees?{march}").get_data(as_text=True)
    assert month_name(timeline.month(1)) in page and "Dikumpulkan untuk mitra" in page and "Total" in page
    assert f"<td>{timeline.month(1):%Y-%m}</td>" not in page  # months are named, not numbered
    assert client.get("/fees?start=2026-05-01&end=2026-04-01").status_code == 422
    csv = client.get(f"/fees?{march}&format=csv").get_data(as_text=True)
    assert month_name(timeline.month(1)) in csv and csv.strip().splitlines()[-1].startswith("Total")
    with app.app_context():  # the page reads the rollup; the raw March lines say the same
        fee = db.session.scalar(
            db.select(db.func.sum(SaleLine.fee))
            .join(Sale, SaleLine.sale_id == Sale.id)
            .where(Sale.business_date >= timeline.month(1), Sale.business_date <= timeline.month_end(1))
            .where(SaleLine.investor_id == db.select(Investor.id).where(Investor.code == "SRB").scalar_subquery())
        )
    assert fee and "Rp" + f"{fee:,}".replace(",", ".") in page


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(st.integers(min_value=0, max_value=75), min_size=1, max_size=12),
    quantities=st.lists(st.integers(min_value=1, max_value=40), min_size=12, max_size=12),
    refund_mask=st.lists(st.booleans(), min_size=12, max_size=12),
    change_day=st.integers(min_value=1, max_value=75),
    new_bp=st.integers(min_value=0, max_value=10_000),
)
def test_statements_cover_every_line_once_and_sum_exactly(  # type: ignore[no-untyped-def]
    app: Flask, timeline: Timeline, days, quantities, refund_mask, change_day, new_bp
) -> None:
    with app.app_context():
        start, end = timeline.month(1), timeline.month_end(3)
        outlet = db.session.get(Outlet, 1)
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number == timeline.agreement("SRB")))
        mie = db.session.scalar(db.select(Product).where(Product.sku == "MIE-INDGRG"))
        user = db.session.scalar(db.select(User).where(User.username == "pusat"))
        assert outlet and agreement and mie and user
        savepoint = db.session.begin_nested()
        # terms that took effect back then (made as they would have been: today they could not be back-dated)
        db.session.add(
            AgreementVersion(
                agreement=agreement,
                effective_from=start + timedelta(days=change_day),
                fee_bp=new_bp,
                collector=Collector.COOPERATIVE,
                period=SettlementPeriod.MONTHLY,
            )
        )
        db.session.flush()
        agreements.forget_recent()
        made = []
        for n, offset in enumerate(days):
            sale = sale_on(outlet, start + timedelta(days=offset), [(mie, quantities[n])], at=time(23, 59, 59))
            made.append(sale)
            if refund_mask[n]:
                refund_on(sale, min(start + timedelta(days=offset + 3), end))
        settlements.issue(agreement, outlet, timeline.start, user)
        issued = [settlements.issue(agreement, outlet, timeline.month(n), user) for n in (1, 2, 3)]
        lines = db.session.scalars(db.select(SaleLine).where(SaleLine.agreement_version_id.is_not(None))).all()
        relevant = [
            ln for ln in lines if start <= ln.sale.business_date <= end and ln.investor_id == agreement.investor_id
        ]
        assert sum(s.net_sales for s in issued) == sum(ln.net for ln in relevant)
        assert sum(s.fee for s in issued) == sum(ln.fee for ln in relevant)
        for s in issued:
            assert s.fee + s.investor_share == s.net_sales
            assert s.net_sales == sum(ln.net for ln in s.lines)
            inside = [
                ln
                for ln in relevant
                if s.period_start <= ln.sale.business_date <= s.period_end
                and not (ln.sale.original and ln.sale.original.business_date < s.period_start)
            ]
            assert s.gross_sales + s.refunds == sum(ln.net for ln in inside)
            assert s.gross_sales + s.refunds + s.late_net == s.net_sales
        settled = db.session.scalars(db.select(SettledLine.sale_line_id)).all()
        assert len(settled) == len(set(settled)) == len(relevant)
        savepoint.rollback()
        db.session.rollback()


def test_a_refund_of_an_earlier_periods_sale_is_a_late_correction(app: Flask, timeline: Timeline) -> None:
    outlet_id = _ids(app)["outlet"]
    with app.app_context():
        outlet = db.session.get(Outlet, outlet_id)
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number == timeline.agreement("SRB")))
        user = db.session.scalar(db.select(User).where(User.username == "pusat"))
        mie = db.session.scalar(db.select(Product).where(Product.sku == "MIE-INDGRG"))
        assert outlet and agreement and user and mie
        march_sale = sale_on(outlet, timeline.month_end(1), [(mie, 2)], at=time(23, 59, 59))
        for first in (timeline.start, timeline.month(1)):
            settlements.issue(agreement, outlet, first, user)
        refund_on(march_sale, timeline.month(2) + timedelta(days=1))
        april = settlements.issue(agreement, outlet, timeline.month(2), user)
        assert april.late_net == -7000 and april.refunds == 0
        assert [(ln.late, ln.net) for ln in april.lines] == [(True, -7000)]
        assert april.fee + april.investor_share == april.net_sales == -7000
        db.session.rollback()
