"""Whole-Rupiah money and basis-point rates.

Money is an ``int`` of Rupiah, rates are ``int`` basis points (500 = 5.00%).
Floats, Decimals and bools are refused so that a rounding error can never creep in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import format_currency

BP_SCALE = 10_000
MAX_AMOUNT = 10**15
MAX_PRICE = 10**12  # Rp1 trillion: the largest unit price a product may have


class MoneyError(ValueError):
    """An amount or rate that is not a whole, in-range integer."""


def rupiah(value: object, *, allow_negative: bool = False) -> int:
    """Return ``value`` as whole Rupiah, or raise MoneyError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(f"amount must be a whole number of Rupiah, got {value!r}")
    if value < 0 and not allow_negative:
        raise MoneyError(f"amount must not be negative, got {value}")
    if abs(value) > MAX_AMOUNT:
        raise MoneyError(f"amount is out of range: {value}")
    return value


def basis_points(value: object) -> int:
    """Return ``value`` as a rate in basis points (0..10,000), or raise MoneyError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(f"rate must be whole basis points, got {value!r}")
    if not 0 <= value <= BP_SCALE:
        raise MoneyError(f"rate must be between 0 and {BP_SCALE} basis points, got {value}")
    return value


def div_round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, for a non-negative numerator."""
    if numerator < 0 or denominator <= 0:
        raise MoneyError("div_round_half_up needs numerator >= 0 and denominator > 0")
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True, slots=True)
class Split:
    net: int
    fee_bp: int
    fee: int
    investor_share: int


def split_line(net: object, fee_bp: object) -> Split:
    """Split a line's net amount into the cooperative's fee and the investor's share.

    ``fee = round_half_up(net * fee_bp / 10000)``; the investor gets the remainder, so the two
    parts always add up to ``net`` exactly.
    """
    amount = rupiah(net)
    rate = basis_points(fee_bp)
    fee = div_round_half_up(amount * rate, BP_SCALE)
    return Split(net=amount, fee_bp=rate, fee=fee, investor_share=amount - fee)


def allocate(total: object, weights: Sequence[int]) -> list[int]:
    """Distribute ``total`` over ``weights`` by the largest-remainder method.

    Every part is floor(total * w / sum) plus at most one Rupiah; the parts sum to ``total``
    exactly. Ties on the remainder go to the earlier weight, so the result is deterministic.
    """
    amount = rupiah(total)
    if not weights:
        raise MoneyError("allocate needs at least one weight")
    for w in weights:
        rupiah(w)
    weight_sum = sum(weights)
    if weight_sum == 0:
        if amount == 0:
            return [0] * len(weights)
        raise MoneyError("cannot allocate a non-zero amount over zero weights")
    parts = []
    remainders = []
    for index, w in enumerate(weights):
        share, rest = divmod(amount * w, weight_sum)
        parts.append(share)
        remainders.append((-rest, index))
    left = amount - sum(parts)
    for _, index in sorted(remainders)[:left]:
        parts[index] += 1
    return parts


def spread_discount(line_amounts: Sequence[int], discount: object) -> list[int]:
    """Spread a sale-level discount over lines in proportion to their amounts.

    Refuses a discount larger than the lines' total. Each line's part never exceeds its amount.
    """
    amount = rupiah(discount)
    total = sum(rupiah(a) for a in line_amounts)
    if amount > total:
        raise MoneyError("discount is larger than the sale total")
    return allocate(amount, list(line_amounts))


def line_amount(quantity: object, unit_price: object, per: int = 1) -> int:
    """Amount of ``quantity`` smallest steps at ``unit_price`` per ``per`` steps, half up.

    For goods sold by weight the quantity is in grams and ``per`` is 1000 (price per kg).
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise MoneyError(f"quantity must be a whole, non-negative number, got {quantity!r}")
    price = rupiah(unit_price)
    return rupiah(div_round_half_up(quantity * price, per))


_LOCALES = {"id": "id_ID", "en": "en_ID"}


@lru_cache(maxsize=8192)
def format_rupiah(amount: int, language: str = "id") -> str:
    """``12500`` -> ``"Rp12.500"``; negative amounts keep their sign."""
    return format_currency(amount, "IDR", locale=_LOCALES.get(language, "id_ID"), currency_digits=True)


def parse_rupiah(text: str) -> int:
    """Read an amount a person typed: "12500", "12.500", "Rp 12.500". No decimals."""
    cleaned = (text or "").strip().replace("\xa0", "").replace(" ", "")
    if cleaned[:2].lower() == "rp":
        cleaned = cleaned[2:]
    if cleaned.count(".") and all(len(group) == 3 for group in cleaned.split(".")[1:]):
        cleaned = cleaned.replace(".", "")
    if not cleaned or not cleaned.isascii() or not cleaned.isdigit():
        raise MoneyError("enter a whole number of Rupiah, without cents")
    if len(cleaned) > 15:
        raise MoneyError("the amount is too large")
    return rupiah(int(cleaned))


def parse_percent(text: str) -> int:
    """Read a percentage a person typed ("12", "12,5", "12.75") as basis points (1275)."""
    cleaned = (text or "").strip().rstrip("%").strip().replace(",", ".")
    whole, _, fraction = cleaned.partition(".")
    if not whole.isascii() or not whole.isdigit() or len(whole) > 3:
        raise MoneyError("enter a percentage such as 12 or 12,5")
    if fraction and (not fraction.isascii() or not fraction.isdigit() or len(fraction) > 2):
        raise MoneyError("a percentage has at most two decimals")
    return basis_points(int(whole) * 100 + int((fraction + "00")[:2]))


def format_percent(bp: int, language: str = "id") -> str:
    whole, rest = divmod(bp, 100)
    text = f"{whole}" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")
    return (text.replace(".", ",") if language == "id" else text) + "%"
