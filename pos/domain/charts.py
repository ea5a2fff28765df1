"""A small server-side SVG bar chart: readable on a tablet and in print, no JavaScript.

The value axis carries round Rupiah amounts in the short form people say ("Rp1,2 jt"), with a light grid line at
each, so a bar can be read without hovering over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# (amount, Indonesian suffix, English suffix), largest first
_SCALES = ((10**12, "T", "tn"), (10**9, "M", "bn"), (10**6, "jt", "m"), (10**3, "rb", "k"))


def _thousands(value: int, lang: str = "id") -> str:
    return f"{value:,}".replace(",", "." if lang == "id" else ",")


def short_rupiah(value: int, lang: str = "id") -> str:
    """Rp in the short form of a chart's axis: Rp850, Rp12 rb, Rp1,2 jt, Rp3 M (English: Rp12k, Rp1.2m, Rp3bn)."""
    sign, value = ("-" if value < 0 else ""), abs(value)
    for size, indonesian, english in _SCALES:
        if value >= size:
            tenths = (value * 10 + size // 2) // size  # rounded to a tenth of the scale, in whole numbers
            whole, tenth = divmod(tenths, 10)
            number = f"{whole}" if tenth == 0 or whole >= 100 else f"{whole}{',' if lang == 'id' else '.'}{tenth}"
            return f"{sign}Rp{number} {indonesian}" if lang == "id" else f"{sign}Rp{number}{english}"
    return f"{sign}Rp{value}"


def nice_ticks(peak: int, most: int = 5) -> list[int]:
    """Round values from 0 up to at least ``peak`` (1, 2 or 5 times a power of ten apart), at most ``most`` + 1."""
    if peak <= 0:
        return [0]
    step = 1
    while True:
        for factor in (1, 2, 5):
            size = step * factor
            if -(-peak // size) <= most:
                return [size * n for n in range(-(-peak // size) + 1)]
        step *= 10


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    title: str,
    lang: str = "id",
    width: int = 760,
    height: int = 240,
) -> str:
    """Bars for non-negative Rupiah amounts (negatives are drawn as zero) over a value axis."""
    if not values:
        return ""
    left, right, bottom, top = 70, 8, 28, 14
    ticks = nice_ticks(max(max(values), 1))
    ceiling = ticks[-1]
    plot = height - bottom - top
    slot = (width - left - right) / len(values)
    bar = max(slot * 0.75, 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for tick in ticks:
        y = height - bottom - plot * tick / ceiling
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#374151">'
            f"{escape(short_rupiah(tick, lang))}</text>"
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot * max(value, 0) / ceiling
        x = left + i * slot + (slot - bar) / 2
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#b91c1c">'
            f"<title>{escape(label)}: Rp{_thousands(value, lang)}</title></rect>"
        )
        if len(values) <= 16 or i % max(1, len(values) // 10) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" '
                f'fill="#374151">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#6b7280"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
