"""EAN-13 / EAN-8 barcodes."""

from __future__ import annotations


def ean_check_digit(body: str) -> int:
    """Check digit for the first 12 (EAN-13) or 7 (EAN-8) digits."""
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_ean(code: str) -> bool:
    if len(code) not in (8, 13) or not code.isascii() or not code.isdigit():
        return False
    return ean_check_digit(code[:-1]) == int(code[-1])


def complete_ean13(body12: str) -> str:
    if len(body12) != 12 or not body12.isdigit():
        raise ValueError("an EAN-13 body has 12 digits")
    return body12 + str(ean_check_digit(body12))
