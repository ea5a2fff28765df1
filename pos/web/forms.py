"""Forms every feature uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import wtforms
from babel import support
from flask import abort, flash, g, has_request_context, redirect, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import NumberRange, Optional

from pos.core.errors import PosError
from pos.web.transaction import attempt


def first_error(form: Any) -> str:
    """The first message of a form that did not validate, to show above it."""
    for errors in form.errors.values():
        if errors:
            first = errors[0]
            if isinstance(first, dict):  # a FormField's errors, by subfield
                return next((str(v[0]) for v in first.values() if v), _("Check what you entered."))
            return str(first)
    return _("Check what you entered.")


TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def _catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(str(TRANSLATIONS), [locale], domain="wtforms")


class _Messages:
    """WTForms' own messages ("This field is required.") in the user's language. WTForms ships no Indonesian
    catalogue, so ours is in ``pos/translations/id/LC_MESSAGES/wtforms.po``."""

    def gettext(self, string: str) -> str:
        return _catalogue(str(get_locale())).gettext(string) if has_request_context() else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not has_request_context():
            return singular if n == 1 else plural
        return _catalogue(str(get_locale())).ngettext(singular, plural, n)


MESSAGES = _Messages()


class Form(FlaskForm):
    """Every form of the application: Flask-WTF's CSRF, and WTForms' messages translated."""

    class Meta:
        def get_translations(self, form: Any) -> _Messages:
            return MESSAGES


class LineForm(wtforms.Form):
    """A line of a document's form (inside a ``FieldList``): no CSRF of its own, messages translated alike."""

    class Meta:
        def get_translations(self, form: Any) -> _Messages:
            return MESSAGES


class ConfirmForm(Form):
    """A button that confirms an action: nothing but the CSRF token."""


def confirmed(work: Callable[[], object], back: str, done: Callable[[], str]) -> Any:
    """A confirm button's request: the form checked, the operation attempted, the outcome flashed, back to the
    page the button was on (a refusal changes nothing)."""
    if not ConfirmForm().validate():
        abort(400)
    try:
        with attempt():
            work()
    except PosError as exc:
        flash(str(exc), "error")
        return redirect(back, 303)
    flash(done(), "success")
    return redirect(back, 303)


def _cut(limit: int) -> Callable[[object], object]:
    def cut(value: object) -> object:
        return value.strip()[:limit] if isinstance(value, str) else value

    return cut


class Query(Form):
    """What a page's address may say besides its path: search text, page, filters, the file asked for. Read once
    per request from the query string (and, on a POST, the form too); text is stripped and cut to its length, and
    a page that is not a whole number from 1 reads as absent."""

    class Meta:
        csrf = False

    sent: frozenset[str] = frozenset()
    q = StringField(filters=[_cut(80)])
    code = StringField(filters=[_cut(80)])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    outlet = StringField(filters=[_cut(20)])
    product = StringField(filters=[_cut(60)])
    status = StringField(filters=[_cut(20)])
    show = StringField(filters=[_cut(20)])
    kind = StringField(filters=[_cut(20)])
    table = StringField(filters=[_cut(20)])
    month = StringField(filters=[_cut(7)])
    request = StringField(filters=[_cut(40)])
    method = StringField(filters=[_cut(10)])
    qris = StringField(filters=[_cut(20)])
    width = StringField(filters=[_cut(2)])
    format = StringField(filters=[_cut(10)])
    only = StringField(filters=[_cut(20)])
    below = StringField(filters=[_cut(1)])
    done = StringField(filters=[_cut(1)])
    print = StringField(filters=[_cut(1)])
    next = StringField(filters=[_cut(500)])
    more = StringField(filters=[_cut(1)])
    quick = StringField(filters=[_cut(10)])
    role = StringField(filters=[_cut(20)])
    cooperative = StringField(filters=[_cut(40)])
    # a keyset page's starting point (a row id)
    after = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**62)])
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**62)])

    def text(self, name: str) -> str:
        """The field's value if it is valid, else empty."""
        field = self[name]
        return "" if field.errors or field.data is None else str(field.data)

    def given(self, name: str, default: str) -> str:
        """The field's value when the address names it (even empty), else ``default``."""
        return self.text(name) if name in self.sent else default

    def number(self, name: str, default: int = 1) -> int:
        field = self[name]
        return default if field.errors or field.data is None else int(field.data)

    def flag(self, name: str) -> bool:
        return self.text(name) == "1"


def url_args() -> Query:
    """The request's ``Query``, validated once (invalid values read as absent)."""
    if "pos_query" not in g:
        sent = request.values if request.method == "POST" else request.args
        form = Query(formdata=sent)
        form.validate()
        form.sent = frozenset(sent.keys())
        g.pos_query = form
    return g.pos_query


def local_path(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this server (never another site), else ``fallback``: one slash, then no
    second one or backslash a browser would read as another host (``//evil``, ``/\\evil``, ``////evil``), no
    control characters (a browser drops a tab or newline and may then see ``//``)."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return fallback
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
