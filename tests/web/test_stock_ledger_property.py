"""Invariant 4: after any sequence of stock documents and sales, on-hand equals the sum of movements."""

from __future__ import annotations

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos.cashier import cart as cart_service
from pos.cashier import checkout, shifts
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.extensions import db
from pos.models import Outlet, Product, Register, ReturnReason, StockBalance, StockMovement, User
from pos.stock import counts, deliveries, ledger, returns

SKUS = ["BRS-PREM5", "BRS-CURAH", "MYK-KITA1"]

step = st.one_of(
    st.tuples(st.just("deliver"), st.integers(0, 2), st.integers(1, 40), st.integers(0, 5)),
    st.tuples(st.just("sell"), st.integers(0, 2), st.integers(1, 30), st.just(0)),
    st.tuples(st.just("count"), st.integers(0, 2), st.integers(0, 200), st.just(0)),
    st.tuples(st.just("return"), st.integers(0, 2), st.integers(1, 30), st.just(0)),
    st.tuples(st.just("write_off"), st.integers(0, 2), st.integers(1, 30), st.just(0)),
)


def _ledger_matches(outlet_id: int) -> None:
    balances = dict(
        db.session.execute(
            db.select(StockBalance.product_id, StockBalance.quantity).where(StockBalance.outlet_id == outlet_id)
        ).all()
    )
    sums = dict(
        db.session.execute(
            db.select(StockMovement.product_id, db.func.sum(StockMovement.quantity))
            .where(StockMovement.outlet_id == outlet_id)
            .group_by(StockMovement.product_id)
        ).all()
    )
    for product_id in set(balances) | set(sums):
        assert balances.get(product_id, 0) == sums.get(product_id, 0), product_id


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_on_hand_always_equals_the_ledger(app: Flask, steps: list[tuple[str, int, int, int]]) -> None:
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        manager = db.session.scalar(db.select(User).where(User.username == "manajer"))
        cashier = db.session.scalar(db.select(User).where(User.username == "kasir"))
        investor_user = db.session.scalar(db.select(User).where(User.username == "mitra"))
        products = [db.session.scalar(db.select(Product).where(Product.sku == sku)) for sku in SKUS]
        assert all(p.investor_id == investor_user.investor_id for p in products)
        shift = shifts.open_shift_of(cashier) or shifts.open_shift(
            cashier, db.session.scalar(db.select(Register.id).where(Register.outlet_id == outlet.id)), 100_000
        )
        for kind, which, amount, extra in steps:
            product = products[which % len(products)]
            quantity = amount * (1000 if product.unit in ("kg", "l") else 1)
            try:
                if kind == "deliver":
                    delivery = deliveries.create(
                        investor_user.investor,
                        outlet,
                        business_date(outlet.timezone),
                        [deliveries.PlannedLine(product.id, quantity)],
                        investor_user,
                    )
                    damaged = min(extra, quantity)
                    deliveries.receive(
                        delivery, [deliveries.Received(delivery.lines[0].id, quantity - damaged, damaged)], manager
                    )
                elif kind == "sell":
                    basket = cart_service.cart_of(shift)
                    cart_service.add(basket, product, quantity)
                    total = cart_service.priced(basket).total
                    checkout.complete(basket, basket.revision, basket.uuid, checkout.PaymentInput(cash=total), cashier)
                elif kind == "count":
                    count = counts.start(outlet, manager, investor_id=product.investor_id)
                    counts.record(count, counts.line_for(count, product.id), quantity)
                    counts.confirm(count, manager)
                elif kind == "return":
                    returns.create_return(
                        outlet, product.investor, ReturnReason.UNSOLD, {product.id: quantity}, manager
                    )
                else:
                    returns.write_off(outlet, product, quantity, "rusak", manager)
            except PosError:
                db.session.rollback()  # refused (e.g. not enough stock): nothing written
                shift = db.session.merge(shift)
            else:
                db.session.commit()
            _ledger_matches(outlet.id)
            assert ledger.on_hand(outlet.id, product.id) == ledger.ledger_sum(outlet.id, product.id)
            if not outlet.allow_negative_stock:
                assert ledger.on_hand(outlet.id, product.id) >= 0
