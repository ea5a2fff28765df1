"""The demo, a cash sale, a statement and the fee view on PostgreSQL (the central database)."""

from flask import Flask

from pos import demo
from pos.extensions import db
from pos.models import Agreement, Outlet, Sale, StockBalance, User
from pos.partnership import settlements
from pos.stock import ledger
from tests.conftest import Client, make_app
from tests.timeline import Timeline


def test_statements_and_reports_on_postgresql(pg_url: str, timeline: Timeline) -> None:
    app: Flask = make_app(pg_url)
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        assert db.session.query(Sale).count() > 100  # the recorded history
        for balance in db.session.scalars(db.select(StockBalance)):
            assert balance.quantity == ledger.ledger_sum(balance.outlet_id, balance.product_id)
        agreement = db.session.scalar(db.select(Agreement).where(Agreement.number.like("%SRB%")))
        outlet = db.session.get(Outlet, 1)
        user = db.session.scalar(db.select(User).where(User.username == "pusat"))
        assert agreement and outlet and user
        first = settlements.open_periods(agreement, outlet)[0][0]
        statement = settlements.issue(agreement, outlet, first, user)
        assert statement.fee + statement.investor_share == statement.net_sales
        assert first == timeline.start  # the day the demo's agreement started
        db.session.commit()
    client = Client(app.test_client())
    client.login("pusat")
    assert f"BH-SRG-CPR-SRB-{timeline.start:%Y%m%d}" in client.get("/statements").get_data(as_text=True)
    fees = client.get("/fees")
    assert fees.status_code == 200 and "Gerai KMP Cipare" in fees.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
