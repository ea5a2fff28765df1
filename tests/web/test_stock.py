"""Investor stock through the web: catalogue, prices, deliveries, counts, returns, restock, exports."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import selectinload

from pos.core import clock
from pos.core.clock import business_date
from pos.extensions import db
from pos.models import (
    Delivery,
    DeliveryStatus,
    MovementKind,
    OutboxEvent,
    Outlet,
    PriceChange,
    Product,
    RestockRequest,
    StockCount,
    StockMovement,
    StockReturn,
)
from pos.stock import ledger
from tests.conftest import Client

PREMIUM = "BRS-PREM5"  # SRB's 5 kg rice pack, 78.000
CURAH = "BRS-CURAH"  # SRB's loose rice by the kg


def _product(app: Flask, sku: str) -> Product:
    with app.app_context():
        product = db.session.scalar(
            db.select(Product).where(Product.sku == sku).options(selectinload(Product.scheduled_prices))
        )
        assert product is not None
        return product


def _outlet_id(app: Flask, code: str = "SRG-CPR") -> int:
    with app.app_context():
        return db.session.scalar(db.select(Outlet.id).where(Outlet.code == code))


def _on_hand(app: Flask, sku: str, code: str = "SRG-CPR") -> int:
    with app.app_context():
        product = db.session.scalar(db.select(Product).where(Product.sku == sku))
        outlet_id = db.session.scalar(db.select(Outlet.id).where(Outlet.code == code))
        balance = ledger.on_hand(outlet_id, product.id)
        assert balance == ledger.ledger_sum(outlet_id, product.id)
        return balance


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _outlet_day(app: Flask) -> date:
    """Today on the demo outlet's wall clock."""
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        assert outlet is not None
        return business_date(outlet.timezone)


def _today(app: Flask) -> str:
    return _outlet_day(app).isoformat()


def _send_delivery(client: Client, app: Flask, lines: list[tuple[str, str, str]], **extra: str) -> str:
    data = {"outlet": _outlet_id(app), "expected_on": _today(app), "driver": "Pak Ujang, B 1234 XY"}
    for i, (code, quantity, expiry) in enumerate(lines):
        data[f"lines-{i}-code"] = code
        data[f"lines-{i}-quantity"] = quantity
        data[f"lines-{i}-expiry_date"] = expiry
    data.update(extra)
    response = client.post("/deliveries/new", data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[-1]


@pytest.mark.dates
def test_delivery_is_sent_received_once_with_differences_and_a_bast(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra")
    before = _on_hand(app, PREMIUM)
    in_a_month = (_outlet_day(app) + timedelta(days=30)).isoformat()
    delivery_uuid = _send_delivery(client, app, [(PREMIUM, "10", in_a_month), (CURAH, "25,5", "")])
    page = client.get(f"/deliveries/{delivery_uuid}").get_data(as_text=True)
    assert "KRM-SRB-" in page and "Beras premium" in page
    assert _on_hand(app, PREMIUM) == before  # nothing enters stock until the outlet receives it

    client.logout()
    client = login_as("manajer")
    assert "KRM-SRB-" in client.get("/deliveries?status=sent").get_data(as_text=True)
    form = client.get(f"/deliveries/{delivery_uuid}/receive").get_data(as_text=True)
    line_ids = re.findall(r'name="lines-(\d+)-line_id"[^>]*value="(\d+)"', form)
    assert len(line_ids) == 2
    data = {
        "lines-0-line_id": line_ids[0][1],
        "lines-0-good": "8",
        "lines-0-damaged": "1",
        "lines-0-note": "1 sak sobek",
        "lines-1-line_id": line_ids[1][1],
        "lines-1-good": "25,5",
        "lines-1-damaged": "0",
        "note": "diterima sore",
    }
    response = client.post(f"/deliveries/{delivery_uuid}/receive", data)
    assert response.status_code == 303
    assert _on_hand(app, PREMIUM) == before + 8  # the damaged unit went back with the driver
    detail = client.get(f"/deliveries/{delivery_uuid}").get_data(as_text=True)
    assert "diff-short" in detail and "-1" in detail

    again = client.post(f"/deliveries/{delivery_uuid}/receive", data)
    assert again.status_code == 409
    assert "sudah diterima" in again.get_data(as_text=True)
    assert _on_hand(app, PREMIUM) == before + 8

    bast = client.get(f"/deliveries/{delivery_uuid}/bast").get_data(as_text=True)
    assert "BERITA ACARA SERAH TERIMA" in bast and "Pak Ujang" in bast and "1 sak sobek" in bast
    with app.app_context():
        delivery = db.session.scalar(db.select(Delivery).where(Delivery.uuid == _uuid(delivery_uuid)))
        assert delivery.status == DeliveryStatus.RECEIVED
        moves = db.session.scalars(db.select(StockMovement).where(StockMovement.document_uuid == delivery.uuid)).all()
        assert sorted(m.quantity for m in moves) == [8, 25_500]
        event = db.session.scalar(
            db.select(OutboxEvent).where(
                OutboxEvent.event_type == "delivery.received", OutboxEvent.payload.contains(str(delivery.uuid))
            )
        )
        assert event is not None and str(moves[0].uuid) in event.payload

    client.logout()
    client = login_as("mitra")
    assert "diff-short" in client.get(f"/deliveries/{delivery_uuid}").get_data(as_text=True)


def _uuid(text: str):  # type: ignore[no-untyped-def]
    import uuid

    return uuid.UUID(text)


def test_bad_deliveries_are_refused_and_write_nothing(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra")
    before = _count(app, Delivery)
    base = {"outlet": _outlet_id(app), "expected_on": _today(app)}
    cases = [
        ({"lines-0-code": "LAIN-01", "lines-0-quantity": "5"}, 404),  # another investor's product
        ({"lines-0-code": PREMIUM, "lines-0-quantity": "-3"}, 422),
        ({"lines-0-code": PREMIUM, "lines-0-quantity": "1,5"}, 422),  # packs are whole units
        ({"lines-0-code": PREMIUM, "lines-0-quantity": "0"}, 422),
        ({"lines-0-code": "", "lines-0-quantity": ""}, 422),  # empty delivery
        ({"lines-0-code": PREMIUM, "lines-0-quantity": "1", "expected_on": "2020-01-01"}, 422),
        ({"lines-0-code": PREMIUM, "lines-0-quantity": "1", "outlet": _outlet_id(app, "SRG-KDR")}, 422),
    ]
    for extra, status in cases:
        response = client.post("/deliveries/new", {**base, **extra})
        assert response.status_code == status, (extra, response.status_code)
        assert 'role="alert"' in response.get_data(as_text=True)
    assert _count(app, Delivery) == before


def test_the_other_side_cannot_see_or_touch_documents(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra")
    delivery_uuid = _send_delivery(client, app, [(PREMIUM, "3", "")])
    client.logout()
    for user in ("mitra_b", "manajer_b", "pengurus_b", "mitra2"):
        client = login_as(user)
        assert client.get(f"/deliveries/{delivery_uuid}").status_code == 404, user
        assert "KRM-SRB" not in client.get("/deliveries").get_data(as_text=True)
        client.logout()
    client = login_as("manajer_b")
    response = client.post(f"/deliveries/{delivery_uuid}/receive", {"lines-0-line_id": "1", "lines-0-good": "3"})
    assert response.status_code == 404
    client.logout()
    client = login_as("mitra2")  # another investor at the same outlet
    srb = _product(app, PREMIUM)
    assert client.get(f"/products/{srb.uuid}/edit").status_code == 404
    assert (
        client.post(f"/products/{srb.uuid}/prices", {"price": "1", "effective_at": "2030-01-01T08:00"}).status_code
        == 404
    )
    stock_page = client.get("/stock").get_data(as_text=True)
    assert "Beras premium" not in stock_page
    client.logout()
    client = login_as("kasir_pw")
    assert client.get("/stock").status_code == 403
    assert client.get("/counts").status_code == 403


@pytest.mark.dates
def test_stock_count_adjusts_differences_once_and_reports_shrinkage(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("manajer")
    premium = _product(app, PREMIUM)
    before = _on_hand(app, PREMIUM)
    response = client.post("/counts", {"investor": premium.investor_id, "category": 0, "reason": "opname bulanan"})
    assert response.status_code == 303
    count_uuid = response.headers["Location"].rsplit("/", 1)[-1]
    scanned = client.post(f"/counts/{count_uuid}/scan", {"code": premium.barcode}, htmx=True)
    assert scanned.status_code == 200 and "focus-counted" in scanned.get_data(as_text=True)
    line_id = re.search(rf'/counts/{count_uuid}/lines/(\d+)"', scanned.get_data(as_text=True)).group(1)
    assert client.post(f"/counts/{count_uuid}/lines/{line_id}", {"counted": "-1"}, htmx=True).status_code == 422
    assert client.post(f"/counts/{count_uuid}/lines/{line_id}", {"counted": "2,5"}, htmx=True).status_code == 422
    saved = client.post(f"/counts/{count_uuid}/lines/{line_id}", {"counted": str(before - 3)}, htmx=True)
    assert saved.status_code == 200 and "1 dari" in saved.get_data(as_text=True)
    assert _on_hand(app, PREMIUM) == before  # nothing moves until the count is confirmed
    assert client.post(f"/counts/{count_uuid}/confirm").status_code == 303
    assert _on_hand(app, PREMIUM) == before - 3
    again = client.post(f"/counts/{count_uuid}/confirm")
    assert again.status_code == 409 and "sudah dikonfirmasi" in again.get_data(as_text=True)
    assert _on_hand(app, PREMIUM) == before - 3
    report = client.get("/stock/shrinkage").get_data(as_text=True)
    assert "Hendra Wijaya" in report  # who confirmed
    assert "Rp234.000" in report  # 3 × Rp78.000 missing
    client.logout()
    client = login_as("mitra")
    assert "234.000" in client.get("/stock/shrinkage").get_data(as_text=True)
    client.logout()
    client = login_as("mitra_b")
    assert "234.000" not in client.get("/stock/shrinkage").get_data(as_text=True)


def test_returns_write_offs_and_restock_requests(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("manajer")
    premium = _product(app, PREMIUM)
    before = _on_hand(app, PREMIUM)
    too_many = client.post(
        "/returns/new",
        {
            "investor": premium.investor_id,
            "reason": "expired",
            "lines-0-code": PREMIUM,
            "lines-0-quantity": str(before + 1),
        },
    )
    assert too_many.status_code == 422 and _count(app, StockReturn) == 0
    response = client.post(
        "/returns/new",
        {"investor": premium.investor_id, "reason": "damaged", "lines-0-code": PREMIUM, "lines-0-quantity": "2"},
    )
    assert response.status_code == 303
    return_uuid = response.headers["Location"].rsplit("/", 1)[-1]
    assert _on_hand(app, PREMIUM) == before - 2
    assert client.get(f"/returns/{return_uuid}?print=1").status_code == 200

    assert client.post("/stock/write-off", {"code": PREMIUM, "quantity": "1", "reason": ""}).status_code == 422
    assert client.post("/stock/write-off", {"code": "0000000000000", "quantity": "1", "reason": "x"}).status_code == 404
    assert (
        client.post("/stock/write-off", {"code": PREMIUM, "quantity": "1", "reason": "dimakan tikus"}).status_code
        == 303
    )
    assert _on_hand(app, PREMIUM) == before - 3

    request = client.post(
        "/restock/new",
        {
            "investor": premium.investor_id,
            "lines-0-code": PREMIUM,
            "lines-0-quantity": "20",
            "lines-1-description": "Beras merah 1 kg",
            "lines-1-quantity": "10",
            "note": "menjelang Lebaran",
        },
    )
    assert request.status_code == 303
    request_uuid = request.headers["Location"].rsplit("/", 1)[-1]
    client.logout()

    client = login_as("mitra")
    assert client.post(f"/returns/{return_uuid}/confirm").status_code == 303
    assert client.post(f"/returns/{return_uuid}/confirm").status_code == 303  # flashed as already confirmed
    assert "Beras merah 1 kg" in client.get(f"/restock/{request_uuid}").get_data(as_text=True)
    prefilled = client.get(f"/deliveries/new?request={request_uuid}").get_data(as_text=True)
    assert f'value="{PREMIUM}"' in prefilled and 'value="20"' in prefilled
    _send_delivery(client, app, [(PREMIUM, "20", "")], request=request_uuid)
    with app.app_context():
        answered = db.session.scalar(db.select(RestockRequest).where(RestockRequest.uuid == _uuid(request_uuid)))
        assert answered.status == "fulfilled" and answered.delivery is not None
    assert client.post(f"/restock/{request_uuid}/decline", {"answer": "stok habis"}).status_code == 409
    client.logout()
    client = login_as("mitra2")
    assert client.get(f"/returns/{return_uuid}").status_code == 404
    assert client.get(f"/restock/{request_uuid}").status_code == 404
    assert client.post(f"/returns/{return_uuid}/confirm").status_code == 404
    with app.app_context():
        kinds = db.session.scalars(
            db.select(StockMovement.kind).where(
                StockMovement.product_id == premium.id, StockMovement.note != "Stok awal demo"
            )
        ).all()
        assert MovementKind.RETURN in kinds and MovementKind.WRITE_OFF in kinds


def test_investor_manages_products_with_valid_unique_barcodes(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra")
    with app.app_context():
        from pos.models import Category

        category = db.session.scalar(db.select(Category.id).where(Category.code == "BERAS"))
    base = {"name": "Beras merah 1 kg", "sku": "BRS-MERAH1", "unit": "pack", "category": category, "price": "21.000"}
    before = _count(app, Product)
    with app.app_context():
        from pos.models import Investor

        mns = db.session.scalar(db.select(Investor.id).where(Investor.code == "MNS"))
        neighbour = db.session.scalar(
            db.select(Product.barcode).where(Product.investor_id == mns, Product.barcode.is_not(None))
        )
    for barcode, status in (
        ("8991001001012", 422),
        ("12345", 422),
        (_product(app, PREMIUM).barcode, 409),
        (neighbour, 409),
    ):
        response = client.post("/products/new", {**base, "barcode": barcode})
        assert response.status_code == status, (barcode, response.status_code)
    assert client.post("/products/new", {**base, "price": "21.000,50"}).status_code == 422
    free = client.post("/products/new", {**base, "sku": "BRS-FREE", "price": "0"})
    assert free.status_code == 422 and "lebih dari Rp0" in free.get_data(as_text=True)
    # another investor's barcode at an outlet this investor does not supply is free to use
    elsewhere = client.post("/products/new", {**base, "sku": "BRS-X", "barcode": "8993000000014"})
    assert elsewhere.status_code == 303
    before += 1
    assert client.post("/products/new", {**base, "sku": PREMIUM}).status_code == 409
    assert _count(app, Product) == before
    from pos.domain.barcode import complete_ean13

    response = client.post("/products/new", {**base, "barcode": complete_ean13("899100100999"), "active": "y"})
    assert response.status_code == 303
    product_uuid = response.headers["Location"].rsplit("/", 1)[-1]
    page = client.get(f"/products/{product_uuid}").get_data(as_text=True)
    assert "Rp21.000" in page
    edit = client.post(
        f"/products/{product_uuid}/edit",
        {**base, "name": "Beras merah organik 1 kg", "active": "y", "tracks_expiry": "y"},
    )
    assert edit.status_code == 303
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    ok = client.post(
        f"/products/{product_uuid}/photo", {"photo": (io.BytesIO(png), "a.png")}, content_type="multipart/form-data"
    )
    assert ok.status_code == 303
    assert client.get(f"/products/{product_uuid}/photo").data == png
    bad = client.post(
        f"/products/{product_uuid}/photo",
        {"photo": (io.BytesIO(b"<svg/>"), "a.svg")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422


@pytest.mark.dates
def test_scheduled_price_changes_take_effect_at_their_time(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra")
    premium = _product(app, PREMIUM)
    past = client.post(f"/products/{premium.uuid}/prices", {"price": "80.000", "effective_at": "2020-01-01T08:00"})
    assert past.status_code == 422
    later = (clock.now() + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/products/{premium.uuid}/prices", {"price": "0", "effective_at": later}).status_code == 422
    future = (clock.now() + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(f"/products/{premium.uuid}/prices", {"price": "80.000", "effective_at": future}).status_code == 303
    )
    assert _product(app, PREMIUM).price == 78_000
    assert "Rp78.000" in client.get(f"/products/{premium.uuid}").get_data(as_text=True)
    with time_machine.travel(clock.now() + timedelta(hours=3), tick=True):
        # In force from its moment, read as such by every page, the till and the feed; no row is rewritten.
        assert "Rp80.000" in client.get(f"/products/{premium.uuid}").get_data(as_text=True)
        assert _product(app, PREMIUM).price == 80_000
        with app.app_context():
            change = db.session.scalar(db.select(PriceChange).where(PriceChange.product_id == premium.id))
            assert change.applied_at is None and change.previous_price == 78_000
            assert db.session.get(Product, premium.id).list_price == 78_000
    assert _product(app, PREMIUM).price == 78_000  # and not before it


def test_stock_list_levels_and_exports(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("manajer")
    premium = _product(app, PREMIUM)
    on_hand = _on_hand(app, PREMIUM)
    assert client.post(f"/stock/{premium.id}/level?outlet=SRG-CPR", {"level": "-1"}).status_code == 422
    assert client.post(f"/stock/{premium.id}/level?outlet=SRG-CPR", {"level": str(on_hand + 5)}).status_code == 303
    low = client.get("/stock?show=low").get_data(as_text=True)
    assert "Beras premium Pandan Wangi 5 kg" in low
    fragment = client.hx("/stock?q=Pandan").get_data(as_text=True)
    assert "<html" not in fragment and "Pandan Wangi" in fragment
    csv_text = client.get("/stock/export?format=csv").get_data(as_text=True)
    assert PREMIUM in csv_text and "Beras medium curah" in csv_text
    book = load_workbook(io.BytesIO(client.get("/stock/export?format=xlsx").data))
    assert any(row[0] == PREMIUM for row in book.active.iter_rows(values_only=True))
    movements = client.get(f"/stock/movements?product={PREMIUM}&format=csv").get_data(as_text=True)
    assert PREMIUM in movements
    assert client.get("/stock/movements?start=2026-02-01&end=2026-01-01").status_code == 422
    assert client.get("/stock/movements?start=9999-12-31&end=9999-12-31").status_code == 422  # no overflow
    assert client.get("/stock?outlet=SRG-KDR").status_code == 404
    client.logout()
    client = login_as("mitra")
    assert "Beras premium" in client.get("/stock").get_data(as_text=True)
    assert client.get("/stock?outlet=SRG-KDR").status_code == 404
    sales = client.get("/sales-by-product?start=2026-01-01&end=2026-12-31")
    assert sales.status_code == 200
    assert client.get("/sales-by-product?start=2026-05-01&end=2026-01-01").status_code == 422
    assert client.get("/sales-by-product?start=2020-01-01&end=2026-01-01").status_code == 422


def test_counts_are_limited_to_the_managers_outlet(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("manajer")
    count_uuid = client.post("/counts", {"investor": 0, "category": 0}).headers["Location"].rsplit("/", 1)[-1]
    client.logout()
    client = login_as("manajer_b")
    assert client.get(f"/counts/{count_uuid}").status_code == 404
    assert client.post(f"/counts/{count_uuid}/confirm").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(StockCount.status).where(StockCount.uuid == _uuid(count_uuid))) == "open"


@pytest.mark.dates
def test_expiry_warning_follows_the_outlets_setting(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("manajer")
    # the demo received Indomie expiring in 12 days: inside the default 30-day warning
    assert "Segera kedaluwarsa" in client.get("/stock").get_data(as_text=True)
    assert client.post("/stock/settings", {"expiry_warning_days": "400"}).status_code == 422
    assert client.post("/stock/settings", {"expiry_warning_days": "7"}).status_code == 303
    assert "Segera kedaluwarsa" not in client.get("/stock").get_data(as_text=True)
    client.logout()
    client = login_as("mitra2")  # not their goods
    assert "Indomie Mi Goreng — " not in client.get("/stock").get_data(as_text=True)


def test_investor_declines_a_restock_request_once(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("mitra")
    with app.app_context():
        request_uuid = db.session.scalar(db.select(RestockRequest.uuid).where(RestockRequest.status == "open"))
    assert client.post(f"/restock/{request_uuid}/decline", {"answer": ""}).status_code == 422
    assert client.post(f"/restock/{request_uuid}/decline", {"answer": "Stok gudang kosong"}).status_code == 303
    assert client.post(f"/restock/{request_uuid}/decline", {"answer": "lagi"}).status_code == 409
    client.logout()
    client = login_as("manajer")
    assert "Stok gudang kosong" in client.get(f"/restock/{request_uuid}").get_data(as_text=True)


def test_a_form_never_sends_the_user_to_another_site(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client: Client = login_as("manajer")
    premium = _product(app, PREMIUM)
    for target in ("https://evil.example/x", "//evil.example", "/\\evil.example"):
        response = client.post(f"/stock/{premium.id}/level?outlet=SRG-CPR", {"level": "5", "next": target})
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/stock"), (target, response.headers["Location"])
    kept = client.post(f"/stock/{premium.id}/level?outlet=SRG-CPR", {"level": "5", "next": "/stock?show=low"})
    assert kept.headers["Location"] == "/stock?show=low"


def test_the_stock_list_pages_by_keyset_through_every_product_once(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    import re
    import uuid as uuid_mod

    from sqlalchemy import insert

    from pos.core import clock
    from pos.models import Investor, Product
    from pos.stock import inventory

    with app.app_context():
        investor_id = db.session.scalar(db.select(Investor.id).where(Investor.code == "SRB"))
        # 130 products with names that tie (the id breaks the tie), so pages must not skip or repeat any
        db.session.execute(
            insert(Product),
            [
                {
                    "uuid": uuid_mod.uuid4(),
                    "investor_id": investor_id,
                    "category_id": 3,
                    "sku": f"PG-{i:04d}",
                    "name": f"Zaitun paket {i % 7}",
                    "unit": "pcs",
                    "list_price": 1000,
                    "created_at": clock.now(),
                }
                for i in range(130)
            ],
        )
        db.session.commit()
    client = login_as("manajer")

    page = client.get("/stock?q=zaitun").get_data(as_text=True)
    assert "130 produk" in page
    seen: list[str] = []
    pages = [page]
    while True:
        seen += [s for s in re.findall(r"PG-\d{4}", page) if s not in seen[-60:]]
        after = re.search(r'href="/stock\?[^"]*after=(\d+)[^"]*"', page.replace("&amp;", "&"))
        if not after:
            break
        page = client.get(f"/stock?q=zaitun&after={after.group(1)}").get_data(as_text=True)
        assert "130 produk" not in page  # counted on the first page only
        pages.append(page)
    assert len(pages) == 3 and len(seen) == len(set(seen)) == 130
    with app.app_context():
        expected = [
            p.sku
            for p in db.session.scalars(
                db.select(Product).where(Product.sku.like("PG-%")).order_by(Product.name, Product.id)
            )
        ]
    assert seen == expected
    # Back from the last page: the page before it, the same rows as on the way forward.
    before = re.search(r'href="/stock\?[^"]*before=(\d+)[^"]*"', pages[-1].replace("&amp;", "&"))
    assert before
    back = client.get(f"/stock?q=zaitun&before={before.group(1)}").get_data(as_text=True)
    assert re.findall(r"PG-\d{4}", back)[:50] == expected[50:100]
    # A cursor that names nothing (or nonsense) is the first page; a word prefix finds by name.
    for odd in ("after=999999999", "after=abc", "before=-3", "after=99999999999999999999"):
        assert client.get(f"/stock?q=zaitun&{odd}").status_code == 200
    assert "130 produk" in client.get("/stock?q=zaitun&after=999999999").get_data(as_text=True)
    assert "PG-0007" in client.get("/stock?q=zait+pak").get_data(as_text=True)
    with app.app_context():
        assert inventory.PAGE_SIZE == 50


def test_the_stock_export_streams_its_rows(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("manajer")
    for fmt in ("csv", "xlsx"):
        answer = client.get(f"/stock/export?format={fmt}")
        assert answer.status_code == 200 and answer.is_streamed, fmt
        body = answer.get_data()
        assert body and (b"AIR-AQUA600" in body if fmt == "csv" else body.startswith(b"PK"))
