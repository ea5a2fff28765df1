"""One template serves the page and its fragments."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block

from pos.web.transaction import READS


def wants_fragment() -> bool:
    """An htmx request for part of a page (not a boosted link, not a history restore, which want it whole)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, **context: Any) -> str | Response:
    """The whole page, or only ``block`` when htmx asked for a fragment.

    A fragment answering a write (a scan, a cart edit) is drawn once the request is settled
    (``pos.web.transaction``), so the write lock is not held while it renders. (A plain form's write answers with
    a redirect, and a whole page may take a flashed message out of the session, so those render here.)"""
    if block and wants_fragment():
        if request.method in READS:
            return render_block(template, block, **context)
        answer = current_app.response_class()
        answer.draw = lambda: render_block(template, block, **context)  # type: ignore[attr-defined]
        return answer
    return render_template(template, **context)
