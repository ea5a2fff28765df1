"""One template serves the page and its fragments."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, block: str | None = None, **context: Any) -> str:
    """The whole page, or only ``block`` when htmx asked for a fragment."""
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)
