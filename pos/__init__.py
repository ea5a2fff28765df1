"""KMP POS: point of sale for Koperasi Merah Putih outlets.

The application is built by ``pos.app.create_app``; importing the package itself loads nothing else, so that
the server's master process (``kmp-pos serve``) and the command line stay small and start fast.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("create_app", "get_locale", "CART_EDITS", "ROOT"):
        from pos import app

        return getattr(app, name)
    raise AttributeError(f"module 'pos' has no attribute {name!r}")
