"""The till settings an outlet's manager owns: the static QRIS, cash rounding, the blind drawer count, and what
the receipt says of the outlet (its NPWP and NITKU, if it has them, and its footer).

They are the outlet's, so the outlet node sends them to central (``outlet.settings``) and each copy carries the
time it was changed: between the node and central the newer copy wins.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from pos.core import audit, clock
from pos.core.errors import PosError
from pos.domain import qris
from pos.domain.cash import ROUNDING_STEPS
from pos.models import Outlet, User
from pos.sync import outbox

FIELDS = ("qris_static", "cash_rounding", "show_expected_cash", "npwp", "nitku", "receipt_footer")
RECEIPT_FIELDS = ("npwp", "nitku", "receipt_footer")
NPWP_DIGITS = (15, 16)  # the old 15-digit NPWP, or the 16-digit one (a person's NIK) of 2024
NITKU_DIGITS = 22  # the NPWP's 16 digits and the place of business's 6
FOOTER_MAX = 160


def snapshot(outlet: Outlet) -> dict[str, Any]:
    return {
        "qris_static": outlet.qris_static,
        "cash_rounding": outlet.cash_rounding,
        "show_expected_cash": outlet.show_expected_cash,
        "npwp": outlet.npwp,
        "nitku": outlet.nitku,
        "receipt_footer": outlet.receipt_footer,
        "updated_at": (outlet.settings_updated_at or clock.now()).isoformat(),
    }


def static_qris(payload: str) -> str:
    """The outlet's static QRIS from its sticker's text, checked; a dynamic code is refused."""
    try:
        code = qris.parse(payload)
    except qris.QrisError as exc:
        raise PosError(_l("This is not a valid QRIS code: check that it was copied completely."), 422) from exc
    if code.is_dynamic:
        raise PosError(_l("This is a dynamic QRIS code; store the outlet's static QRIS instead."), 422)
    return code.payload


def tax_number(text: str, digits: tuple[int, ...]) -> str:
    """A tax number as its digits ("01.234.567.8-901.000" -> "012345678901000"); empty stays empty. ValueError
    for anything but digits, dots, dashes and spaces, or another number of digits."""
    cleaned = re.sub(r"[\s.\-]", "", text or "")
    if cleaned and (not cleaned.isdigit() or len(cleaned) not in digits):
        raise ValueError(text)
    return cleaned


def save(outlet: Outlet, user: User, **changes: Any) -> None:
    """Change some of the manager's till settings, audited and sent to central."""
    if set(changes) - set(FIELDS):
        raise TypeError(f"not a till setting: {sorted(set(changes) - set(FIELDS))}")
    if "cash_rounding" in changes and changes["cash_rounding"] not in ROUNDING_STEPS:
        raise PosError(_l("Cash rounding is none, Rp100 or Rp500."), 422)
    if "qris_static" in changes:
        changes["qris_static"] = static_qris(changes["qris_static"])
    try:
        if "npwp" in changes:
            changes["npwp"] = tax_number(changes["npwp"], NPWP_DIGITS)
        if "nitku" in changes:
            changes["nitku"] = tax_number(changes["nitku"], (NITKU_DIGITS,))
    except ValueError as exc:
        raise PosError(
            _l("An NPWP has 15 or 16 digits and a NITKU 22; leave them empty if the outlet has none."), 422
        ) from exc
    if "receipt_footer" in changes:
        changes["receipt_footer"] = " ".join(str(changes["receipt_footer"] or "").split())
        if len(changes["receipt_footer"]) > FOOTER_MAX:
            raise PosError(_l("The receipt footer is at most %(n)d characters.", n=FOOTER_MAX), 422)
    changed = {k: v for k, v in changes.items() if getattr(outlet, k) != v}
    if not changed:
        return
    for name, value in changed.items():
        setattr(outlet, name, value)
    outlet.settings_updated_at = clock.now()
    detail = ", ".join(f"{k}={'…' if k == 'qris_static' else v}" for k, v in changed.items())[:255]
    audit.record("outlet", outlet.uuid, "till_settings", user, detail)
    if current_app.config.get("POS_ROLE") != "central":
        outbox.append(outlet.id, "outlet.settings", snapshot(outlet))


def apply(outlet: Outlet, data: dict[str, Any], *, force: bool = False) -> None:
    """A copy from the other side (sync): taken only when it is newer than this side's (or ``force``)."""
    updated = None
    if data.get("updated_at"):
        updated = datetime.fromisoformat(str(data["updated_at"]))
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=UTC)
    stored = outlet.settings_updated_at
    if not force and (updated is None or (stored is not None and stored >= updated)):
        return
    outlet.qris_static = data.get("qris_static") or None
    outlet.cash_rounding = data["cash_rounding"] if data.get("cash_rounding") in ROUNDING_STEPS else 0
    outlet.show_expected_cash = bool(data.get("show_expected_cash"))
    for name in RECEIPT_FIELDS:  # a copy from before receipts carried them leaves this side's as they are
        if isinstance(data.get(name), str):
            setattr(outlet, name, data[name][: 255 if name == "receipt_footer" else 30])
    outlet.settings_updated_at = updated
