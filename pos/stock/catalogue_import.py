"""An investor's catalogue from a spreadsheet: CSV or Excel, checked row by row before anything is imported.

The file is read into rows of text (``read``), every row is checked against the units, the categories, the
investor's own catalogue and the barcodes of every outlet it supplies (``check``), and the preview lists each bad
row with its reason. Nothing is imported until the file is clean, or until the investor chooses to skip the bad
rows; then the good rows are added in one transaction (``apply``), each product in the change feed outlets pull.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pos.core import audit
from pos.core.sheets import MAX_ROWS, FileRefused, RowError, columns
from pos.domain.barcode import is_valid_ean
from pos.domain.money import MAX_PRICE, MoneyError, parse_rupiah
from pos.domain.units import UNITS
from pos.extensions import db
from pos.models import Category, Investor, Product, User
from pos.partnership import supply

KEEP_SECONDS = 3600
SKU = re.compile(r"^[A-Za-z0-9._/-]{1,40}$")

# Each column by its names in a header row (English, Indonesian); the template writes the first two.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "kode produk", "kode"),
    "barcode": ("barcode", "kode batang", "ean"),
    "name": ("name", "nama", "nama produk"),
    "unit": ("unit", "satuan"),
    "category": ("category", "kategori"),
    "price": ("price", "harga", "harga jual"),
    "cost": ("cost", "modal", "harga pokok"),
    "tracks_expiry": ("tracks_expiry", "kedaluwarsa", "lacak kedaluwarsa"),
}
REQUIRED = ("sku", "name", "unit", "category", "price")
TEMPLATE_HEADER = ["sku", "barcode", "nama", "satuan", "kategori", "harga", "modal", "kedaluwarsa"]
TEMPLATE_EXAMPLE = ["MIE-GRG-01", "8991001003010", "Indomie Mi Goreng 85 g", "pcs", "Mi instan", "3500", "3000", "ya"]
UNIT_WORDS = {
    "pcs": "pcs",
    "biji": "pcs",
    "buah": "pcs",
    "bungkus": "pack",
    "kotak": "box",
    "botol": "bottle",
    "sachet": "sachet",
    "kg": "kg",
    "kilogram": "kg",
    "l": "l",
    "liter": "l",
    "litre": "l",
}
YES = {"ya", "y", "yes", "1", "true", "benar"}
NO = {"", "tidak", "t", "no", "n", "0", "false"}


@dataclass(slots=True)
class Checked:
    good: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def _columns(header: list[str]) -> dict[str, int]:
    return columns(header, COLUMNS, REQUIRED)


def check(investor: Investor, rows: list[list[str]]) -> Checked:
    """Every row checked; the good ones ready to import."""
    if not rows:
        raise FileRefused(_("The file is empty."))
    if len(rows) - 1 > MAX_ROWS:
        raise FileRefused(_("At most %(n)d products per file: split it.", n=MAX_ROWS), 413)
    where = _columns(rows[0])
    categories: dict[str, int] = {}
    for cat_id, code, name in db.session.execute(db.select(Category.id, Category.code, Category.name)):
        categories[code.lower()] = cat_id
        categories[name.lower()] = cat_id
    own_skus = set(db.session.scalars(db.select(Product.sku).where(Product.investor_id == investor.id)))
    neighbours = {investor.id}
    for outlet in supply.outlets_of(investor.id):
        neighbours |= supply.investor_ids_of(outlet.id)
    taken_barcodes = dict(
        db.session.execute(
            db.select(Product.barcode, Product.name).where(
                Product.barcode.is_not(None), Product.active.is_(True), Product.investor_id.in_(neighbours)
            )
        ).all()
    )
    result = Checked()
    seen_sku: dict[str, int] = {}
    seen_barcode: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        value = {key: (raw[i].strip() if i < len(raw) else "") for key, i in where.items()}
        errors: list[RowError] = []

        def bad(column: str, reason: str, number: int = number, errors: list[RowError] = errors) -> None:
            errors.append(RowError(number, column, reason))

        sku = value["sku"]
        if not SKU.match(sku):
            bad("sku", _("an SKU of letters, digits and . _ / - (at most 40)"))
        elif sku in own_skus:
            bad("sku", _("already in your catalogue"))
        elif sku in seen_sku:
            bad("sku", _("the same SKU as row %(row)d", row=seen_sku[sku]))
        name = " ".join(value["name"].split())
        if not name or len(name) > 160:
            bad("name", _("a name of 1 to 160 characters"))
        unit = UNIT_WORDS.get(value["unit"].lower(), value["unit"].lower())
        if unit not in UNITS:
            bad("unit", _("unknown unit %(unit)s (pcs, bungkus, kotak, botol, sachet, kg, liter)", unit=value["unit"]))
        category = categories.get(value["category"].lower())
        if category is None:
            bad("category", _("unknown category %(name)s", name=value["category"]))
        price = _rupiah(value["price"])
        if price is None or not 0 < price <= MAX_PRICE:
            bad("price", _("a selling price in whole Rupiah, more than 0"))
        cost = _rupiah(value.get("cost", "")) if value.get("cost") else None
        if value.get("cost") and (cost is None or not 0 <= cost <= MAX_PRICE):
            bad("cost", _("a cost in whole Rupiah, or empty"))
        barcode = value.get("barcode", "")
        if barcode:
            if not is_valid_ean(barcode):
                bad("barcode", _("%(code)s is not a valid EAN-13 or EAN-8 (check digit)", code=barcode))
            elif barcode in seen_barcode:
                bad("barcode", _("the same barcode as row %(row)d", row=seen_barcode[barcode]))
            elif barcode in taken_barcodes:
                bad("barcode", _("already used by %(name)s in an outlet you supply", name=taken_barcodes[barcode]))
        expiry = value.get("tracks_expiry", "").lower()
        if expiry not in YES | NO:
            bad("tracks_expiry", _("ya or tidak"))
        if sku and sku not in seen_sku:
            seen_sku[sku] = number
        if barcode and barcode not in seen_barcode:
            seen_barcode[barcode] = number
        if errors:
            result.errors.extend(errors)
            continue
        result.good.append(
            {
                "sku": sku,
                "barcode": barcode or None,
                "name": name,
                "unit": unit,
                "category_id": category,
                "price": price,
                "cost": cost,
                "tracks_expiry": expiry in YES,
            }
        )
    if not result.good and not result.errors:
        raise FileRefused(_("The file has a header but no products."))
    return result


def _rupiah(text: str) -> int | None:
    try:
        return parse_rupiah(text)
    except MoneyError:
        return None


def apply(investor: Investor, rows: list[dict[str, Any]], user: User) -> int:
    """Add the checked rows to the investor's catalogue (checked again: the catalogue may have changed)."""
    products = [Product(investor_id=investor.id, favourite=False, active=True, **row) for row in rows]
    db.session.add_all(products)
    db.session.flush()
    audit.record("investor", investor.uuid, "catalogue_imported", user, f"{len(products)} products")
    return len(products)


# An uploaded file waits here between its preview and the investor's choice: in the instance folder, named by
# an unguessable token and the investor, gone after an hour.


def keep(folder: Path, investor: Investor, content: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    suffix = ".xlsx" if content[:4] == b"PK\x03\x04" else ".csv"
    path = folder / f"{investor.id}-{token}{suffix}.upload"
    path.write_bytes(content)
    now = time.time()
    os.utime(path, (now, now))  # its age on the same clock that reads it (a test's frozen clock too)
    return token


def kept(folder: Path, investor: Investor, token: str) -> tuple[str, bytes]:
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,40}", token or ""):
        raise FileRefused(_("Upload the file again."), 404)
    for suffix in (".xlsx", ".csv"):
        path = folder / f"{investor.id}-{token}{suffix}.upload"
        if path.exists() and path.stat().st_mtime >= time.time() - KEEP_SECONDS:
            return "file" + suffix, path.read_bytes()
    raise FileRefused(_("Upload the file again."), 404)


def forget(folder: Path, investor: Investor, token: str) -> None:
    for suffix in (".xlsx", ".csv"):
        (folder / f"{investor.id}-{token}{suffix}.upload").unlink(missing_ok=True)


COLUMN_LABELS = {
    "sku": _l("SKU"),
    "barcode": _l("Barcode"),
    "name": _l("Name"),
    "unit": _l("Unit"),
    "category": _l("Category"),
    "price": _l("Price"),
    "cost": _l("Cost"),
    "tracks_expiry": _l("Expiry"),
}
