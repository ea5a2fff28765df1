"""Synthetic but valid outlet events (a shift, then three-line cash sales) for drain tests and benchmarks."""

from __future__ import annotations

import random

from pos.core import clock
from pos.domain.ids import new_id
from pos.domain.pricing import LineInput, price_sale


def catalogue_of(outlet_id: int, units: tuple[str, ...] = ("pcs",)) -> list[tuple[str, str, str, int, int]]:
    """What an outlet node sells today, as it prices it: (product, investor, agreement version, price, fee_bp),
    the rate being the agreement's (or its category's) in force. Call inside an app context."""
    from pos.extensions import db
    from pos.models import Outlet, Product
    from pos.partnership import agreements, supply

    outlet = db.session.get(Outlet, outlet_id)
    assert outlet is not None
    book = agreements.RateBook(outlet_id, clock.business_date(outlet.timezone))
    out = []
    investors = supply.investor_ids_of(outlet_id)
    for product in db.session.scalars(
        db.select(Product).where(Product.investor_id.in_(investors)).order_by(Product.id)
    ):
        rate = book.rate(product.investor_id, product.category_id)
        if rate is None or product.unit not in units:
            continue
        out.append((str(product.uuid), str(product.investor.uuid), str(rate.version_uuid), product.price, rate.fee_bp))
    return out


def events_for(node: dict, catalogue: list, sales: int, rng: random.Random, first_seq: int = 1) -> list[dict]:
    shift = str(new_id())
    now = clock.now().isoformat()
    today = clock.business_date(node.get("timezone", "Asia/Jakarta")).isoformat()
    out = [
        {
            "id": str(new_id()),
            "seq": first_seq,
            "type": "shift.opened",
            "schema_version": 1,
            "payload": {
                "uuid": shift,
                "register": "KASIR-1",
                "cashier": node["cashier"],
                "opened_at": now,
                "opening_float": 0,
            },
        }
    ]
    for n in range(sales):
        chosen = [(item, rng.randint(1, 3)) for item in rng.sample(catalogue, min(3, len(catalogue)))]
        priced = price_sale([LineInput(quantity, item[3], 1, 0, item[4]) for item, quantity in chosen])
        movements = [
            {"uuid": str(new_id()), "product": item[0], "kind": "sale", "quantity": -quantity}
            for item, quantity in chosen
        ]
        lines = [
            {
                "uuid": str(new_id()),
                "line_no": line_no,
                "product": product,
                "investor": investor,
                "agreement_version": version,
                "name": "x",
                "unit": "pcs",
                "quantity": line.quantity,
                "unit_price": price,
                "gross": line.gross,
                "discount": line.line_discount + line.sale_discount,
                "net": line.net,
                "fee_bp": bp,
                "fee": line.fee,
                "investor_share": line.investor_share,
            }
            for line_no, (((product, investor, version, price, bp), _), line) in enumerate(
                zip(chosen, priced.lines, strict=True), start=1
            )
        ]
        total, fee = priced.total, priced.fee
        sale = str(new_id())
        out.append(
            {
                "id": str(new_id()),
                "seq": first_seq + n + 1,
                "type": "sale.completed",
                "schema_version": 1,
                "payload": {
                    "uuid": sale,
                    "idempotency_key": sale,
                    "kind": "sale",
                    "receipt_no": f"{node['code']}-{n:07d}",
                    "business_date": today,
                    "created_at": now,
                    "shift": shift,
                    "cashier": node["cashier"],
                    "original": None,
                    "subtotal": priced.subtotal,
                    "discount": 0,
                    "total": total,
                    "fee": fee,
                    "investor_share": priced.investor_share,
                    "paid": total,
                    "change": 0,
                    "reason": "",
                    "lines": lines,
                    "payments": [{"uuid": str(new_id()), "method": "cash", "amount": total, "reference": ""}],
                    "movements": movements,
                },
            }
        )
    return out


def waiting_in_outbox(outlet_id: int, events: list[dict]) -> None:
    """Put events in an outlet node's outbox as if sold while the internet was down. Call inside its app."""
    import json
    import uuid

    from pos.extensions import db
    from pos.models import OutboxEvent

    db.session.execute(
        db.insert(OutboxEvent),
        [
            {
                "uuid": uuid.UUID(e["id"]),
                "outlet_id": outlet_id,
                "seq": e["seq"],
                "event_type": e["type"],
                "schema_version": 1,
                "payload": json.dumps(e["payload"]),
                "attempts": 0,
            }
            for e in events
        ],
    )
