"""Central finds products by name from its trigram index, not by reading the catalogue."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import event

from pos.extensions import db
from tests.conftest import Client

EXTRA = 30_000


def _many_products(app: Flask) -> None:
    with app.app_context():
        db.session.execute(
            db.text(
                """
                INSERT INTO product (uuid, investor_id, category_id, sku, barcode, name, unit, price, tracks_expiry,
                                     active, favourite, created_at)
                SELECT gen_random_uuid(), p.investor_id, p.category_id, 'X' || g, NULL,
                       'Barang ' || md5(g::text) || ' kemasan', p.unit, p.price, false, true, false, p.created_at
                FROM (SELECT * FROM product ORDER BY id LIMIT 1) p, generate_series(1, :n) g
                """
            ),
            {"n": EXTRA},
        )
        db.session.commit()
        db.session.execute(db.text("ANALYZE product"))
        db.session.commit()


def test_a_typed_word_is_found_through_the_trigram_index(pg_app: Flask) -> None:
    _many_products(pg_app)
    with pg_app.app_context():
        wanted = db.session.scalar(db.text("SELECT md5('12345')"))
        engine = db.engine
    searches: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_args: Any) -> None:
        if "ILIKE" in sql.upper():
            searches.append((sql, parameters))

    client = Client(pg_app.test_client())
    client.login("pusat")
    event.listen(engine, "before_cursor_execute", keep)
    try:
        page = client.get(f"/stock?outlet=SRG-CPR&q=kemasan+{wanted[:10]}")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Barang {wanted} kemasan" in html
    assert html.count("kemasan</") == 1, "only the product whose name has both words"
    assert searches, "the stock search ran no name condition"
    with engine.connect() as connection:
        for sql, parameters in searches:
            raw = connection.connection.dbapi_connection
            assert raw is not None
            with raw.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", parameters)
                plan = json.dumps(cursor.fetchone()[0])
            assert "ix_product_name_trgm" in plan, plan[:2000]
