"""The static QRIS read from a photo of the outlet's sticker: decoded, checked, shown for the manager to confirm."""

from __future__ import annotations

import io
import random

import segno
from flask import Flask
from PIL import Image, ImageDraw

from pos.demo import DEMO_QRIS
from pos.domain import qris
from pos.extensions import db
from pos.models import Outlet

URL = "/cashier/settings/qris/photo"


def _photo(text: str | None, angle: float = 7.0, kind: str = "JPEG") -> bytes:
    """A phone's photo of a sticker: the code turned a little, on a grey, uneven background, compressed."""
    rng = random.Random(7)
    scene = Image.new("L", (1600, 1200), 150)
    draw = ImageDraw.Draw(scene)
    for _ in range(400):
        x, y = rng.randrange(1600), rng.randrange(1200)
        draw.ellipse((x, y, x + 6, y + 6), fill=rng.randrange(110, 190))
    if text is not None:
        buffer = io.BytesIO()
        segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=9, border=4)
        code = Image.open(io.BytesIO(buffer.getvalue())).convert("L").rotate(angle, expand=True, fillcolor=235)
        scene.paste(code, (300, 150))
    out = io.BytesIO()
    scene.save(out, kind, quality=80) if kind == "JPEG" else scene.save(out, kind)
    return out.getvalue()


def test_a_photo_of_the_sticker_fills_the_qris_for_the_manager_to_check_and_save(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    manager = login_as("manajer")
    with app.app_context():
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == "SRG-CPR"))
        outlet.qris_static = None
        db.session.commit()
    status, page = manager.upload(URL, "photo", _photo(DEMO_QRIS), "stiker.jpg")
    assert status == 200, page[:2000]
    assert DEMO_QRIS in page and "KMP KEL SERANG" in page and "periksa" in page.lower()
    with app.app_context():
        assert db.session.scalar(db.select(Outlet.qris_static).where(Outlet.code == "SRG-CPR")) is None  # not yet
    saved = manager.post("/cashier/settings/qris", {"qris-payload": DEMO_QRIS})
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(Outlet.qris_static).where(Outlet.code == "SRG-CPR")) == DEMO_QRIS


def test_photos_that_hold_no_static_qris_are_refused_with_a_reason(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    manager = login_as("manajer")
    with app.app_context():
        before = db.session.scalar(db.select(Outlet.qris_static).where(Outlet.code == "SRG-CPR"))
    dynamic = qris.to_dynamic(DEMO_QRIS, 25_000, "INV-1")
    cases = [
        (_photo(dynamic), "dinamis"),
        (_photo(None), "Tidak ada kode QR"),
        (_photo("https://example.com/bukan-qris"), "bukan kode QRIS yang valid"),
        (_photo(DEMO_QRIS[:-4] + "0000"), "bukan kode QRIS yang valid"),  # a wrong CRC
        (b"this is not an image at all", "bukan foto"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "bukan foto"),
        (b"\xff" * (2 * 1024 * 1024 + 1), "2 MB"),
    ]
    for content, words in cases:
        status, page = manager.upload(URL, "photo", content, "stiker.jpg")
        assert 400 <= status < 500 and words in page and 'role="alert"' in page, (words, status)
    assert manager.post(URL, {}).status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(Outlet.qris_static).where(Outlet.code == "SRG-CPR")) == before


def test_only_the_manager_reads_a_sticker(app: Flask, login_as) -> None:  # type: ignore[no-untyped-def]
    for username in ("kasir_pw", "mitra", "pusat"):
        someone = login_as(username)
        status, _ = someone.upload(URL, "photo", _photo(DEMO_QRIS), "stiker.jpg")
        assert status == 403, username
        someone.logout()
