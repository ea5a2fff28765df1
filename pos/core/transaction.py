"""Work that must be committed whatever becomes of the request that did it.

A wrong password or PIN counts against the account even though the answer is a refusal whose writes are rolled
back. Inside a request, ``keep(work)`` runs ``work`` after the request's own transaction has been settled, in a
transaction of its own (``pos.web.transaction``); outside one (the CLI, a script) it runs at once.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g, has_request_context


def keep(work: Callable[[], None]) -> None:
    if has_request_context():
        g.setdefault("_kept", []).append(work)
    else:
        work()


def kept() -> list[Callable[[], None]]:
    return g.pop("_kept", []) if has_request_context() else []
