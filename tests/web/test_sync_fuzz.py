"""Generated events against central's push API: valid outlet events, mutated at random (types, ranges, missing
and extra keys, another outlet's ids, unicode, depth). Never a 500; whatever central stores agrees with a
recomputation from central's own agreements."""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.domain.money import line_amount, split_line
from pos.domain.units import unit
from pos.extensions import db
from pos.models import Outlet, Payment, Sale, SaleLine
from pos.partnership.agreements import RateBook
from tests.web.test_sync_trust import Central

EVENTS_PER_BATCH = 50

hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=50),
    st.sampled_from(["", "\u0000", "\ud800", "x" * 5000, "yesterday", "0001-01-01T00:00:00+14:00", "9999-12-31"]),
    st.uuids().map(str),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.integers(min_value=1, max_value=40).map(lambda depth: _nested(depth)),
)


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            out.extend(_paths(item, (*prefix, n)))
    return out


@st.composite
def mutation(draw: st.DrawFn, event: dict[str, Any], foreign: list[str]) -> dict[str, Any]:
    bad = copy.deepcopy(event)
    paths = _paths(bad)
    path = draw(st.sampled_from(paths))
    target = bad
    for key in path[:-1]:
        target = target[key]
    action = draw(st.sampled_from(["replace", "replace", "delete", "extra", "foreign"]))
    if action == "delete" and isinstance(target, dict):
        del target[path[-1]]
    elif action == "extra" and isinstance(target, dict):
        target[draw(st.text(min_size=1, max_size=8))] = draw(hostile)
    elif action == "foreign" and foreign:
        target[path[-1]] = draw(st.sampled_from(foreign))
    else:
        target[path[-1]] = draw(hostile)
    return bad


def recomputed(app: Flask, outlet_code: str) -> list[str]:
    """Every stored sale of the outlet checked against central's own terms: what does not agree."""
    wrong = []
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == outlet_code))
        assert outlet is not None
        books: dict[Any, RateBook] = {}
        for sale in db.session.scalars(db.select(Sale).where(Sale.outlet_id == outlet.id)):
            lines = db.session.scalars(db.select(SaleLine).where(SaleLine.sale_id == sale.id)).all()
            paid = sum(db.session.scalars(db.select(Payment.amount).where(Payment.sale_id == sale.id)))
            if sum(ln.net for ln in lines) != sale.total or paid - sale.change != sale.total:
                wrong.append(f"{sale.receipt_no}: totals")
            for ln in lines:
                if ln.fee + ln.investor_share != ln.net:
                    wrong.append(f"{sale.receipt_no}: split")
                if sale.kind != "sale":
                    continue
                if ln.net < 0 or split_line(ln.net, ln.fee_bp).fee != ln.fee:
                    wrong.append(f"{sale.receipt_no} {sale.kind} {ln.quantity} {ln.gross} {ln.discount}: fee")
                    continue
                book = books.setdefault(sale.business_date, RateBook(outlet.id, sale.business_date))
                rate = book.rate(ln.product.investor_id, ln.product.category_id)
                if rate is None or (rate.version_id, rate.fee_bp) != (ln.agreement_version_id, ln.fee_bp):
                    wrong.append(f"{sale.receipt_no}: rate")
                if line_amount(ln.quantity, ln.unit_price, unit(ln.unit).step_per_unit) != ln.gross:
                    wrong.append(f"{sale.receipt_no}: amount")
    return wrong


def fuzz(app: Flask, examples: int) -> dict[str, int]:
    """Push ``examples`` batches of generated events; returns how many events and answers of each kind."""
    central = Central(app)
    other = Central(app, "SRG-KDR", "kasir_b")
    theirs = other.events(2)
    other.push(theirs)
    foreign = [theirs[0]["payload"]["uuid"], other.cashier, theirs[1]["payload"]["uuid"]]
    foreign += [ln["uuid"] for ln in theirs[1]["payload"]["lines"]] + [other.catalogue[0][2]]
    seen: dict[str, int] = {"events": 0}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def batch(data: st.DataObject) -> None:
        events = central.events(EVENTS_PER_BATCH - 1)
        for n in data.draw(st.sets(st.integers(min_value=0, max_value=len(events) - 1), max_size=15)):
            events[n] = data.draw(mutation(events[n], foreign))
        answer = central.api.post(
            "/api/v1/sync/push", json={"events": events}, headers={"Authorization": f"Bearer {central.token}"}
        )
        assert answer.status_code < 500, answer.get_data(as_text=True)[:300]
        seen["events"] += len(events)
        for result in answer.get_json().get("results", []) if answer.status_code == 200 else []:
            seen[result["status"]] = seen.get(result["status"], 0) + 1

    batch()
    return seen


def test_generated_events_never_cause_a_500_and_what_is_stored_recomputes(app: Flask) -> None:
    seen = fuzz(app, examples=210)
    print("generated events:", seen)
    assert seen["events"] >= 10_000 and seen.get("accepted", 0) > 1000 and seen.get("rejected", 0) > 100
    assert recomputed(app, "SRG-CPR") == []
