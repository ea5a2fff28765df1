"""The server-side cart of a shift: scan, add, change quantities, discounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, or_
from sqlalchemy.orm import joinedload

from pos.auth import accounts
from pos.core import fts
from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.domain.money import MAX_AMOUNT, MoneyError
from pos.domain.pricing import PricedSale, discount_needs_approval, gross_of
from pos.domain.quantity import MAX_STEPS
from pos.domain.units import unit
from pos.extensions import db
from pos.models import Cart, CartLine, Member, Outlet, Product, Shift, User, agreement_outlet
from pos.models.partnership import Agreement
from pos.partnership import agreements
from pos.stock import ledger

SEARCH_LIMIT = 24


# The open cart with its lines and their products in one query (a shift has one open cart).
_CART_OF = (
    db.select(Cart)
    .options(joinedload(Cart.lines).joinedload(CartLine.product))
    .where(Cart.outlet_id == bindparam("outlet"), Cart.shift_id == bindparam("shift"), Cart.closed.is_(False))
    .order_by(Cart.id.desc())
)


def open_cart(shift: Shift) -> Cart:
    """The shift's open cart, to show: an empty one (not stored) when nothing has been added since the last sale."""
    cart = db.session.scalars(_CART_OF, {"outlet": shift.outlet_id, "shift": shift.id}).unique().first()
    return (
        cart
        if cart is not None
        else Cart(outlet_id=shift.outlet_id, shift_id=shift.id, revision=0, discount=0, closed=False, lines=[])
    )


def cart_of(shift: Shift) -> Cart:
    """The shift's open cart, to change: stored now if there was none."""
    cart = db.session.scalars(_CART_OF, {"outlet": shift.outlet_id, "shift": shift.id}).unique().first()
    if cart is None:
        cart = Cart(shift=shift)
        db.session.add(cart)
        db.session.flush()
    return cart


def _sellable_investors(outlet: Any) -> Select[tuple[int]]:
    return (
        db.select(Agreement.investor_id)
        .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
        .where(agreement_outlet.c.outlet_id == outlet)
    )


def _sellable(outlet: Any) -> Select[tuple[Product]]:
    """Products of investors that have an agreement covering this outlet (an id or a bind parameter)."""
    return db.select(Product).where(Product.active.is_(True), Product.investor_id.in_(_sellable_investors(outlet)))


_BY_CODE = (
    _sellable(bindparam("outlet"))
    .where(or_(Product.barcode == bindparam("code"), Product.sku == bindparam("code")))
    .limit(1)
)


def find_by_code(outlet_id: int, code: str) -> Product | None:
    code = code.strip()
    if not code or len(code) > 40:
        return None
    return db.session.scalar(_BY_CODE, {"outlet": outlet_id, "code": code})


def search(outlet_id: int, text: str) -> list[Product]:
    """Products whose name words start with what was typed (or an exact barcode/SKU)."""
    text = text.strip()[:60]
    if not text:
        return []
    exact = find_by_code(outlet_id, text)
    named = fts.name_condition(text)
    if named is None:
        return [exact] if exact else []
    found = list(db.session.scalars(_sellable(outlet_id).where(named).order_by(Product.name).limit(SEARCH_LIMIT)))
    if exact is not None and exact not in found:
        found.insert(0, exact)
    return found


def favourites(outlet_id: int) -> list[Product]:
    """The favourite tiles, read from the partial index that holds only favourites in name order. (The investor
    is compared as ``investor_id + 0`` so that no planner prefers reading every product of each investor.)"""
    query = (
        db.select(Product)
        .where(
            Product.favourite == True,  # noqa: E712 (the very term of the partial index ix_product_favourite)
            Product.active.is_(True),
            (Product.investor_id + 0).in_(_sellable_investors(outlet_id)),
        )
        .order_by(Product.name)
    )
    return list(db.session.scalars(query))


def sellable_product(outlet_id: int, product_id: int) -> Product:
    product = db.session.scalar(_sellable(outlet_id).where(Product.id == product_id))
    if product is None:
        raise PosError(_l("This product is not sold at this outlet."), 404)
    return product


def _check_agreement(outlet: Outlet, product: Product) -> None:
    day = business_date(outlet.timezone)
    if agreements.recent_book(outlet.id, day).rate(product.investor_id, product.category_id) is None:
        raise PosError(
            _l(
                "%(name)s cannot be sold: there is no partnership agreement in force for "
                "%(investor)s at this outlet today.",
                name=product.name,
                investor=product.investor.name,
            )
        )


def _check_stock(outlet: Outlet, product: Product, wanted: int) -> None:
    if outlet.allow_negative_stock:
        return
    have = ledger.on_hand(outlet.id, product.id)
    if wanted > have:
        raise PosError(
            _l(
                "Only %(have)s of %(name)s in stock.",
                have=_format_steps(have, product.unit),
                name=product.name,
            )
        )


def _format_steps(steps: int, unit_code: str) -> str:
    from pos.domain.quantity import format_quantity

    u = unit(unit_code)
    return f"{format_quantity(steps, u)} {u.code if u.by_measure else ''}".strip()


RECENT_SCANS = 40


def scanned(cart: Cart, scan_id: str | None) -> bool:
    """Whether this scan was applied to the cart already (the till sends a scan again when its answer was lost)."""
    return bool(scan_id) and scan_id in (cart.scans or "").split()


def note_scan(cart: Cart, scan_id: str | None) -> None:
    if scan_id:
        cart.scans = " ".join([*(cart.scans or "").split()[-(RECENT_SCANS - 1) :], scan_id])


def _touch(cart: Cart) -> None:
    cart.revision += 1


def in_cart(cart: Cart, product_id: int) -> int:
    return sum(line.quantity for line in cart.lines if line.product_id == product_id)


def add(cart: Cart, product: Product, quantity: int, scan_id: str | None = None) -> CartLine:
    """Add to the cart (a scan with its id, so that the same scan sent again is not counted twice)."""
    if not 0 < quantity <= MAX_STEPS:
        raise PosError(_l("The quantity must be more than zero."))
    outlet = cart.shift.outlet
    _check_agreement(outlet, product)
    _check_stock(outlet, product, in_cart(cart, product.id) + quantity)
    line = next((ln for ln in cart.lines if ln.product_id == product.id and ln.discount == 0), None)
    if line is None or unit(product.unit).by_measure:
        line = CartLine(product=product, quantity=quantity, unit_price=product.price, discount=0)
        cart.lines.append(line)
    else:
        line.quantity += quantity
    _check_amounts(cart)
    _touch(cart)
    note_scan(cart, scan_id)
    db.session.flush()
    return line


def set_member(cart: Cart, member: Member | None) -> None:
    """Name the cooperative's member buying (or no one). Prices and the split do not change."""
    if member is not None and member.cooperative_id != cart.shift.outlet.cooperative_id:
        raise PosError(_l("This member belongs to another cooperative."), 422)
    cart.member = member
    _touch(cart)
    db.session.flush()


def _check_amounts(cart: Cart) -> None:
    """A line or a cart beyond the money limit is refused (and the request writes nothing)."""
    try:
        within = view(cart).subtotal <= MAX_AMOUNT
    except MoneyError:
        within = False
    if not within:
        raise PosError(
            _l("That is more than one sale can hold (at most Rp%(limit)s).", limit=f"{MAX_AMOUNT:,}".replace(",", ".")),
            422,
        )


def line_of(cart: Cart, line_id: int) -> CartLine:
    line = next((ln for ln in cart.lines if ln.id == line_id), None)
    if line is None:
        raise PosError(_l("This line is no longer in the cart."), 404)
    return line


def set_quantity(cart: Cart, line: CartLine, quantity: int) -> None:
    if quantity <= 0:
        remove(cart, line)
        return
    if quantity > MAX_STEPS:
        raise PosError(_l("The quantity is too large."))
    others = in_cart(cart, line.product_id) - line.quantity
    _check_stock(cart.shift.outlet, line.product, others + quantity)
    line.quantity = quantity
    _check_amounts(cart)
    if line.discount > gross_of(quantity, line.unit_price, unit(line.product.unit).step_per_unit):
        line.discount = 0
        line.discount_approved_by_id = None
    _touch(cart)


def remove(cart: Cart, line: CartLine) -> None:
    cart.lines.remove(line)
    _touch(cart)


def clear(cart: Cart) -> None:
    cart.lines.clear()
    cart.discount = 0
    cart.discount_approved_by_id = None
    _touch(cart)


def _approve(
    outlet: Outlet, discount: int, base: int, manager_pin: str, policy: accounts.Policy, by: User | None
) -> User | None:
    if not discount_needs_approval(discount, base, outlet.discount_limit_bp):
        return None
    if not manager_pin:
        raise PosError(
            _l(
                "A discount above %(limit)s%% needs the manager's PIN.",
                limit=f"{outlet.discount_limit_bp / 100:g}".replace(".", ","),
            ),
            403,
        )
    return accounts.approve(outlet.id, manager_pin, policy, by)


def set_line_discount(cart: Cart, line: CartLine, discount: int, manager_pin: str, policy: accounts.Policy) -> None:
    gross = gross_of(line.quantity, line.unit_price, unit(line.product.unit).step_per_unit)
    if not 0 <= discount <= gross:
        raise PosError(_l("A discount cannot be more than the line amount."))
    manager = _approve(cart.shift.outlet, discount, gross, manager_pin, policy, cart.shift.cashier)
    line.discount = discount
    line.discount_approved_by_id = manager.id if manager else None
    _touch(cart)


def set_sale_discount(cart: Cart, discount: int, manager_pin: str, policy: accounts.Policy) -> None:
    base = sum(
        gross_of(ln.quantity, ln.unit_price, unit(ln.product.unit).step_per_unit) - ln.discount for ln in cart.lines
    )
    if not 0 <= discount <= base:
        raise PosError(_l("A discount cannot be more than the total."))
    manager = _approve(cart.shift.outlet, discount, base, manager_pin, policy, cart.shift.cashier)
    cart.discount = discount
    cart.discount_approved_by_id = manager.id if manager else None
    _touch(cart)


@dataclass(frozen=True, slots=True)
class CartView:
    cart: Cart
    lines: list[tuple[CartLine, int]]  # line and its gross amount
    subtotal: int
    line_discounts: int
    total: int
    count: int


def view(cart: Cart) -> CartView:
    lines = []
    for line in cart.lines:
        gross = gross_of(line.quantity, line.unit_price, unit(line.product.unit).step_per_unit)
        lines.append((line, gross))
    subtotal = sum(g for _, g in lines)
    line_discounts = sum(ln.discount for ln, _ in lines)
    total = subtotal - line_discounts - min(cart.discount, subtotal - line_discounts)
    count = sum(1 if unit(ln.product.unit).by_measure else ln.quantity for ln, _ in lines)
    return CartView(cart, lines, subtotal, line_discounts, total, count)


def priced(cart: Cart, fee_bps: list[int] | None = None) -> PricedSale:
    """The cart through the sale rule: with the rates in force (one per line) when it is paid, or none to
    show its amounts."""
    from pos.domain.pricing import LineInput, price_sale

    rates = fee_bps or [0] * len(cart.lines)
    try:
        return price_sale(
            [
                LineInput(ln.quantity, ln.unit_price, unit(ln.product.unit).step_per_unit, ln.discount, bp)
                for ln, bp in zip(cart.lines, rates, strict=True)
            ],
            cart.discount,
        )
    except MoneyError as exc:
        raise PosError(_l("The cart's discounts are no longer valid; check them.")) from exc
