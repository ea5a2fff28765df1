"""The headers every answer carries: what the browser may load and run, what it may keep, what it may use.

Scripts come only from our own ``static/`` (no inline script, no ``eval``); inline *styles* stay allowed
because the print views (statements, BAST, the monthly report) carry their page rules in a ``<style>``
block and htmx adds its indicator style — no script can run from a style. A page behind a login is never
stored (a shared tablet's back button must not show the previous user's screen). HSTS is sent only when the
cookies are marked secure, that is, when the site is served over HTTPS.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The receipt screen's WhatsApp form is answered with a redirect to wa.me, which form-action must allow.
CSP_TO_WHATSAPP = CSP.replace("form-action 'self'", "form-action 'self' https://wa.me")
PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"


def secure(response: Any) -> Any:
    response.vary.add("HX-Request")
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not request.path.startswith("/static/") and _signed_in():
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def _signed_in() -> bool:
    return bool(current_user.is_authenticated)
