"""A pulled page of products applied set-based at the outlet gives what applying them one by one gives."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask

from pos.core import clock
from pos.extensions import db
from pos.models import PriceChange, Product
from pos.sync.codecs import CODECS, apply_products


def _state(keys: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    products = db.session.scalars(
        db.select(Product).where(Product.uuid.in_([uuid.UUID(k) for k in keys])).order_by(Product.sku)
    ).all()
    out = []
    for p in products:
        prices = db.session.execute(
            db.select(PriceChange.uuid, PriceChange.price, PriceChange.cancelled_at.is_(None))
            .where(PriceChange.product_id == p.id)
            .order_by(PriceChange.price)
        ).all()
        out.append(
            (
                p.sku,
                p.name,
                p.barcode,
                p.unit,
                p.list_price,
                p.active,
                p.favourite,
                p.investor_id,
                p.category_id,
                p.price_due_at,
                tuple((str(u), price, live) for u, price, live in prices),
            )
        )
    return out


def test_a_page_of_products_applied_at_once_equals_one_by_one(app: Flask) -> None:
    with app.app_context():
        originals = db.session.scalars(db.select(Product).order_by(Product.id).limit(6)).all()
        later = (clock.now() + timedelta(days=3)).isoformat()
        pages = {}
        for way in ("one_by_one", "at_once"):
            page = []
            for n, product in enumerate(originals):
                data = CODECS["product"].snapshot(product, {product.id: []})
                data["sku"] = f"{way[:3].upper()}-{n}"
                data["barcode"] = None
                data["price_changes"] = (
                    [
                        {
                            "uuid": str(uuid.uuid4()),
                            "price": 9_000 + n,
                            "previous_price": data["price"],
                            "effective_at": later,
                        }
                    ]
                    if n % 2
                    else []
                )
                page.append((str(uuid.uuid4()), data))
            pages[way] = page
        for key, data in pages["one_by_one"]:
            CODECS["product"].apply(key, data, None)
        apply_products(pages["at_once"])
        db.session.flush()

        def same(a: list[tuple], b: list[tuple]) -> None:  # type: ignore[type-arg]
            def strip(rows: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
                return [(r[0].split("-")[1], *r[1:-1], tuple((p, live) for _u, p, live in r[-1])) for r in rows]

            assert strip(a) == strip(b)

        same(_state([k for k, _ in pages["one_by_one"]]), _state([k for k, _ in pages["at_once"]]))
        # Again, changed: a new name and price, the scheduled price withdrawn on central and another one sent.
        for way in ("one_by_one", "at_once"):
            for n, (_key, data) in enumerate(pages[way]):
                data["name"] = f"{data['name']} baru"
                data["price"] += 100
                data["active"] = n != 2
                data["price_changes"] = (
                    [
                        {
                            "uuid": f"00000000-0000-4000-8000-{way == 'at_once':06d}{n:06d}",
                            "price": 7_000,
                            "previous_price": data["price"],
                            "effective_at": later,
                        }
                    ]
                    if n % 3 == 0
                    else []
                )
        for key, data in pages["one_by_one"]:
            CODECS["product"].apply(key, data, None)
        apply_products(pages["at_once"])
        db.session.flush()
        one, once = _state([k for k, _ in pages["one_by_one"]]), _state([k for k, _ in pages["at_once"]])
        same(one, once)
        assert any(not live for r in once for _u, _p, live in r[-1])  # a withdrawn price is cancelled, not gone
        assert all(r[1].endswith(" baru") for r in once)
        # The catalogue search (FTS5, kept by triggers) finds what arrived in bulk.
        from pos.cashier import cart

        assert {p.sku for p in cart.search(1, "baru")} >= {f"AT_-{n}" for n in range(6) if n != 2}


def test_a_product_whose_investor_has_not_arrived_is_refused(app: Flask) -> None:
    with app.app_context():
        product = db.session.scalars(db.select(Product).limit(1)).one()
        data = CODECS["product"].snapshot(product, {product.id: []})
        data["investor"] = str(uuid.uuid4())
        with pytest.raises(LookupError):
            apply_products([(str(uuid.uuid4()), data)])
