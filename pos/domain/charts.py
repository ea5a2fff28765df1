"""A small server-side SVG bar chart: readable on a tablet and in print, no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def bar_chart(labels: Sequence[str], values: Sequence[int], *, title: str, width: int = 760, height: int = 220) -> str:
    """Bars for non-negative values (negatives are drawn as zero), with the largest value marked."""
    if not values:
        return ""
    left, bottom, top = 8, 28, 18
    peak = max(max(values), 1)
    slot = (width - left * 2) / len(values)
    bar = max(slot * 0.75, 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (height - bottom - top) * max(value, 0) / peak
        x = left + i * slot + (slot - bar) / 2
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#b91c1c">'
            f"<title>{escape(label)}: {_thousands(value)}</title></rect>"
        )
        if len(values) <= 16 or i % max(1, len(values) // 10) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" '
                f'fill="#4b5563">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="#9ca3af"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
