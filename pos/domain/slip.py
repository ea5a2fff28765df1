"""A slip of thermal paper as text: a receipt, refund slip or Z report laid out in a fixed number of characters
a line (32 at 58 mm, 48 at 80 mm), the same for the printer, the WhatsApp message and the README.

Thermal printers print a code page, not Unicode: the text is folded to plain ASCII ("×" becomes "x", "é" "e")
so that every character takes one column on every printer.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Literal

Style = Literal["", "bold", "center", "title", "rule"]

WIDTHS = {58: 32, 80: 48}  # characters a line in the printer's standard font (12 × 24 dots)
MIN_WIDTH, MAX_WIDTH = 24, 64

_FOLD = str.maketrans({"×": "x", "−": "-", "–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "·": "-"})


@dataclass(frozen=True, slots=True)
class Row:
    left: str = ""
    right: str = ""
    style: Style = ""


RULE = Row(style="rule")


@dataclass(frozen=True, slots=True)
class Slip:
    """Rows, then the QR code of ``link`` (the customer's copy of the receipt)."""

    rows: tuple[Row, ...]
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    style: Style = ""


def plain(text: str) -> str:
    """``text`` in printable ASCII, one column a character."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in folded.encode("ascii", "ignore").decode() if c.isprintable())


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width``; a text that starts indented keeps its indent on every line."""
    indent = " " * min(len(text) - len(text.lstrip(" ")), width // 4)
    lines = textwrap.wrap(text.strip(), width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)
    return lines or [""]


def lay_out(rows: tuple[Row, ...] | list[Row], width: int) -> list[Line]:
    """Each row as lines of at most ``width`` characters: the left text wrapped, the right text flush right on
    the last line (or on a line of its own when they do not fit together)."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"a line is {MIN_WIDTH} to {MAX_WIDTH} characters, not {width}")
    out: list[Line] = []
    for row in rows:
        left, right = plain(row.left).rstrip(), plain(row.right).strip()
        if row.style == "rule":
            out.append(Line("-" * width))
        elif row.style in ("center", "title"):
            out.extend(Line(part.center(width).rstrip(), row.style) for part in _wrap(left.strip(), width))
        else:
            parts = _wrap(left, width)
            last = parts[-1]
            if right and len(last) + 1 + len(right) <= width:
                parts[-1] = last + " " * (width - len(last) - len(right)) + right
            elif right:
                parts.extend(part.rjust(width) for part in _wrap(right, width))
            out.extend(Line(part, row.style) for part in parts)
    return out


def as_text(slip: Slip, width: int) -> str:
    """The slip as the printer prints it; the QR code as its link."""
    lines = [line.text for line in lay_out(slip.rows, width)]
    if slip.link:
        lines.append(f"[QR {slip.link}]")
    return "\n".join(lines) + "\n"
