"""Static files under versioned names, kept by the browser for a year.

Every ``url_for('static', ...)`` carries ``?v=`` and the first 12 hex digits of the file's SHA-256, so a changed
file has a new address; an address with its version is answered with a year-long, immutable cache lifetime,
and the till's pages load their stylesheet and scripts without asking the node again (no 304 round trips).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600


def register(app: Flask) -> None:
    folder = str(app.static_folder)
    versions: dict[str, str] = {}

    def version(filename: str) -> str:
        if filename not in versions:
            path = safe_join(folder, filename)
            try:
                versions[filename] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12] if path else ""
            except OSError:
                versions[filename] = ""
        return versions[filename]

    @app.url_defaults
    def _versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and isinstance(values.get("filename"), str):
            found = version(values["filename"])
            if found:
                values["v"] = found

    def max_age(filename: str | None) -> int | None:
        wanted = request.args.get("v")
        return YEAR if filename and wanted and wanted == version(filename) else None

    app.get_send_file_max_age = max_age  # type: ignore[method-assign]


def immutable(response: Any) -> Any:
    """A versioned static file never changes under its name."""
    if request.path.startswith("/static/") and response.cache_control.max_age == YEAR:
        response.cache_control.immutable = True
        response.cache_control.public = True
    return response
