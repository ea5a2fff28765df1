"""The demo's recorded history is written like any sale: every invariant of DESIGN §4 holds on it."""

from __future__ import annotations

from collections import defaultdict

from flask import Flask

from pos.extensions import db
from pos.models import MovementKind, Payment, Sale, SaleLine, StockBalance, StockMovement


def test_every_recorded_sale_and_refund_keeps_the_invariants(app_ctx: Flask) -> None:
    paid: dict[int, int] = defaultdict(int)
    for sale_id, amount in db.session.execute(db.select(Payment.sale_id, Payment.amount)):
        paid[sale_id] += amount
    nets: dict[int, int] = defaultdict(int)
    for sale_id, net, fee, share in db.session.execute(
        db.select(SaleLine.sale_id, SaleLine.net, SaleLine.fee, SaleLine.investor_share)
    ):
        assert fee + share == net
        nets[sale_id] += net
    sales = db.session.execute(db.select(Sale.id, Sale.uuid, Sale.kind, Sale.total, Sale.change)).all()
    assert len(sales) > 500
    for sale_id, _key, _kind, total, change in sales:
        assert nets[sale_id] == total
        assert paid[sale_id] - change == total, sale_id  # every sale has its payments
    documents = {key for _id, key, _kind, _total, _change in sales}
    moves = db.session.execute(
        db.select(StockMovement.kind, StockMovement.document_uuid).where(
            StockMovement.kind.in_([MovementKind.SALE, MovementKind.REFUND])
        )
    ).all()
    assert all(document in documents for _kind, document in moves)  # every sale movement names its sale
    refunds = {key for _id, key, kind, _total, _change in sales if kind == "refund"}
    returned = {document for kind, document in moves if kind == MovementKind.REFUND}
    assert refunds and refunds == returned  # every refund puts its goods back on the shelf
    for outlet_id, product_id, quantity in db.session.execute(
        db.select(StockBalance.outlet_id, StockBalance.product_id, StockBalance.quantity)
    ):
        ledger = db.session.scalar(
            db.select(db.func.sum(StockMovement.quantity)).where(
                StockMovement.outlet_id == outlet_id, StockMovement.product_id == product_id
            )
        )
        assert quantity == ledger
