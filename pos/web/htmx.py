"""One template serves the page and its fragments."""

from __future__ import annotations

from typing import Any

from flask import render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx request for part of a page (not a boosted link, not a history restore, which want it whole)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, **context: Any) -> str:
    """The whole page, or only ``block`` when htmx asked for a fragment."""
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)
