"""Forms every feature uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect
from flask_wtf import FlaskForm

from pos.core.errors import PosError
from pos.web.transaction import attempt


class ConfirmForm(FlaskForm):
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
