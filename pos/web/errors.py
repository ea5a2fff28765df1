"""Friendly error pages in the user's language; JSON for the API; htmx gets a toast."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from pos.core.errors import PosError
from pos.extensions import db
from pos.web.forms import local_path
from pos.web.htmx import wants_fragment

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check what you entered."),
    ),
    401: (_l("Please log in"), _l("Your session has ended. Please log in again.")),
    403: (_l("Not allowed"), _l("Your account is not allowed to open this page.")),
    404: (_l("Not found"), _l("This page or record does not exist, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    409: (_l("Conflict"), _l("This was changed by someone else. Reload and try again.")),
    413: (_l("Too large"), _l("What was sent is too large.")),
    422: (_l("Check the form"), _l("Some of what you entered is not valid.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a moment and try again.")),
    500: (
        _l("Something went wrong"),
        _l("The server could not finish this. Nothing was saved. Try again."),
    ),
}


def _respond(code: int, detail: str | None = None) -> ResponseReturnValue:
    title, message = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])
    text = detail or str(message)
    if request.path.startswith("/api/"):
        return jsonify(error=str(title), detail=text, status=code), code
    if wants_fragment():
        body = render_template("errors/_toast.html", code=code, title=title, message=text)
        return body, code, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    back = None
    if request.method == "POST" and request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host:  # back to the page the form was on, never to another site
            back = local_path(parts.path + (f"?{parts.query}" if parts.query else ""), "") or None
    page = render_template("errors/error.html", code=code, title=title, message=text, back=back)
    return page, code


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        # No database text column can hold a NUL character (PostgreSQL refuses it outright); the sync API
        # drops them from each event instead.
        if request.path.startswith("/api/"):
            return
        values = [*request.args.values(), *(request.form.values() if request.method == "POST" else ())]
        if any("\x00" in value for value in values):
            raise PosError(_l("Text cannot contain the NUL character."), 400)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> ResponseReturnValue:
        return _respond(
            400,
            str(_l("This form has expired or did not come from this page. Reload and try again.")),
        )

    @app.errorhandler(PosError)
    def refused(error: PosError) -> ResponseReturnValue:
        return _respond(error.status, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        detail = getattr(error, "pos_message", None)
        return _respond(code, detail)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        db.session.rollback()  # a failed flush leaves the session unusable until then, even to render this page
        app.logger.exception("unhandled error", exc_info=error)
        return _respond(InternalServerError.code)
