"""An investor's catalogue: products, their photos and scheduled price changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, update

from pos.core import audit, clock
from pos.core.clock import business_date
from pos.core.errors import Conflict, PosError
from pos.core.zones import zone_of
from pos.domain.barcode import is_valid_ean
from pos.domain.money import MAX_PRICE
from pos.domain.units import UNITS
from pos.extensions import db
from pos.models import Category, Investor, PriceChange, Product, ProductPhoto, User
from pos.partnership import supply

MAX_PHOTO_BYTES = 512 * 1024
_PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp"}


@dataclass(frozen=True, slots=True)
class ProductData:
    name: str
    sku: str
    barcode: str | None
    unit: str
    category_id: int
    cost: int | None
    tracks_expiry: bool
    favourite: bool
    active: bool


def _check(investor: Investor, data: ProductData, product: Product | None) -> None:
    if data.unit not in UNITS:
        raise PosError(_("Choose a unit from the list."))
    if db.session.get(Category, data.category_id) is None:
        raise PosError(_("Choose a category from the list."))
    same_sku = db.select(Product.id).where(Product.investor_id == investor.id, Product.sku == data.sku)
    if product is not None:
        same_sku = same_sku.where(Product.id != product.id)
    if db.session.scalar(same_sku.limit(1)) is not None:
        raise Conflict(_("You already have a product with SKU %(sku)s.", sku=data.sku))
    if data.barcode:
        if not is_valid_ean(data.barcode):
            raise PosError(_("Barcode %(code)s is not a valid EAN-13: check the digits.", code=data.barcode))
        _check_barcode_free(investor, data.barcode, product)


def _check_barcode_free(investor: Investor, barcode: str, product: Product | None) -> None:
    """A barcode must identify one product in every outlet's catalogue this investor supplies."""
    neighbours = {investor.id}
    for outlet in supply.outlets_of(investor.id):
        neighbours |= supply.investor_ids_of(outlet.id)
    query = db.select(Product).where(
        Product.barcode == barcode, Product.active.is_(True), Product.investor_id.in_(neighbours)
    )
    if product is not None:
        query = query.where(Product.id != product.id)
    clash = db.session.scalar(query.limit(1))
    if clash is not None:
        raise Conflict(
            _("Barcode %(code)s is already used by %(name)s in an outlet you supply.", code=barcode, name=clash.name)
        )


def _check_price(price: int) -> None:
    if not 0 < price <= MAX_PRICE:
        raise PosError(_("A selling price must be more than Rp0 and at most Rp1.000.000.000.000."))


def create(investor: Investor, data: ProductData, price: int, user: User) -> Product:
    _check_price(price)
    _check(investor, data, None)
    product = Product(investor_id=investor.id, price=price, **_fields(data))
    db.session.add(product)
    db.session.flush()
    audit.record("product", product.uuid, "created", user, f"{product.sku} {price}")
    return product


def _fields(data: ProductData) -> dict[str, object]:
    return {
        "name": data.name,
        "sku": data.sku,
        "barcode": data.barcode or None,
        "unit": data.unit,
        "category_id": data.category_id,
        "cost": data.cost,
        "tracks_expiry": data.tracks_expiry,
        "favourite": data.favourite,
        "active": data.active,
    }


def update_product(product: Product, data: ProductData, user: User) -> None:
    _check(product.investor, data, product)
    for name, value in _fields(data).items():
        setattr(product, name, value)
    audit.record("product", product.uuid, "updated", user, data.name)


def set_photo(product: Product, content: bytes) -> None:
    if len(content) > MAX_PHOTO_BYTES:
        raise PosError(_("The photo is too large: at most 512 KB."), 413)
    kind = next((mime for magic, mime in _PHOTO_TYPES.items() if content.startswith(magic)), None)
    if kind is None or (kind == "image/webp" and content[8:12] != b"WEBP"):
        raise PosError(_("The photo must be a JPEG, PNG or WebP image."))
    photo = db.session.get(ProductPhoto, product.id) or ProductPhoto(product_id=product.id)
    photo.content_type = kind
    photo.data = content
    photo.updated_at = clock.now()
    db.session.add(photo)


# Price changes


def pending_changes(product: Product) -> list[PriceChange]:
    return list(
        db.session.scalars(
            db.select(PriceChange)
            .where(PriceChange.product_id == product.id)
            .order_by(PriceChange.effective_at.desc(), PriceChange.id.desc())
            .limit(20)
        )
    )


def _refresh_due(product_id: int) -> None:
    due = db.session.scalar(
        db.select(func.min(PriceChange.effective_at)).where(
            PriceChange.product_id == product_id,
            PriceChange.applied_at.is_(None),
            PriceChange.cancelled_at.is_(None),
        )
    )
    db.session.execute(update(Product).where(Product.id == product_id).values(price_due_at=due))


def schedule_price(
    product: Product, price: int, effective_at: datetime, user: User, now: datetime | None = None
) -> PriceChange:
    """Schedule a new selling price; it must fall within an agreement of the investor."""
    _check_price(price)
    now = now or clock.now()
    if effective_at < now - timedelta(minutes=5):
        raise PosError(_("A price change cannot take effect in the past."))
    if effective_at > now + timedelta(days=366):
        raise PosError(_("A price change can be scheduled at most a year ahead."))
    outlets = supply.outlets_of(product.investor_id)
    day = business_date(zone_of(outlets[0] if outlets else None), effective_at)
    if not any(supply.supplies(product.investor_id, outlet.id, day) for outlet in outlets):
        raise PosError(
            _("No partnership agreement of yours is in force on %(day)s: the price cannot change then.", day=day)
        )
    clash = db.session.scalar(
        db.select(PriceChange.id).where(
            PriceChange.product_id == product.id,
            PriceChange.effective_at == effective_at,
            PriceChange.cancelled_at.is_(None),
        )
    )
    if clash is not None:
        raise Conflict(_("A price change is already scheduled for that moment."))
    change = PriceChange(
        product_id=product.id,
        price=price,
        previous_price=product.price,
        effective_at=effective_at,
        created_by_id=user.id,
    )
    db.session.add(change)
    db.session.flush()
    audit.record("product", product.uuid, "price_scheduled", user, f"{price} @ {effective_at.isoformat()}")
    _refresh_due(product.id)
    return change


def cancel_price(change: PriceChange, user: User) -> None:
    if change.applied_at is not None or change.cancelled_at is not None:
        raise Conflict(_("This price change has already taken effect or was cancelled."))
    change.cancelled_at = clock.now()
    audit.record("product", change.product.uuid, "price_cancelled", user, str(change.price))
    _refresh_due(change.product_id)


def prices_now(product_ids: Iterable[int], now: datetime | None = None) -> dict[int, int]:
    """The price in force at ``now`` of each product (``Product.price`` for many at once, in two queries)."""
    now = now or clock.now()
    wanted = sorted(set(product_ids))
    out: dict[int, int] = {}
    due: list[int] = []
    for start in range(0, len(wanted), 5000):
        query = db.select(Product.id, Product.list_price, Product.price_due_at).where(
            Product.id.in_(wanted[start : start + 5000])
        )
        for pid, price, due_at in db.session.execute(query):
            out[pid] = price
            if due_at is not None and due_at <= now:
                due.append(pid)
    for start in range(0, len(due), 5000):
        query = (
            db.select(PriceChange.product_id, PriceChange.price)
            .where(
                PriceChange.product_id.in_(due[start : start + 5000]),
                PriceChange.applied_at.is_(None),
                PriceChange.cancelled_at.is_(None),
                PriceChange.effective_at <= now,
            )
            .order_by(PriceChange.effective_at, PriceChange.id)
        )
        out.update(db.session.execute(query).all())  # the latest in force wins
    return out


def settle_due(now: datetime | None = None) -> int:
    """Housekeeping, never needed for a right price: fold the scheduled prices whose time has come into the list
    price (``kmp-pos prices settle``; the outlet's sync worker after each pull). Returns the products changed."""
    now = now or clock.now()
    due_products = list(
        db.session.scalars(db.select(Product.id).where(Product.price_due_at.is_not(None), Product.price_due_at <= now))
    )
    for product_id in due_products:
        changes = list(
            db.session.scalars(
                db.select(PriceChange)
                .where(
                    PriceChange.product_id == product_id,
                    PriceChange.applied_at.is_(None),
                    PriceChange.cancelled_at.is_(None),
                    PriceChange.effective_at <= now,
                )
                .order_by(PriceChange.effective_at, PriceChange.id)
            )
        )
        for change in changes:
            change.applied_at = now
        if changes:
            db.session.execute(
                update(Product).where(Product.id == product_id).values({Product.list_price: changes[-1].price})
            )
        _refresh_due(product_id)
    return len(due_products)
