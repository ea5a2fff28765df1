"""Form fields for whole Rupiah, and a check for plausible dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

from pos.domain.money import MoneyError, parse_rupiah


class RupiahField(StringField):
    """A text box for an amount in whole Rupiah; ``data`` is an int (or None when empty)."""

    def __init__(self, *args: Any, required: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)
        self.required = required

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw.strip():
            try:
                self.data = parse_rupiah(self.raw)
            except MoneyError as exc:
                self.data = None
                raise ValueError(str(_l("Enter a whole number of Rupiah, e.g. 12.500."))) from exc

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise ValidationError(str(_l("This amount is required.")))

    def _value(self) -> str:
        return str(self.data) if self.data is not None else getattr(self, "raw", "") or ""


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def plausible_date(_form: Any, field: Any) -> None:
    """Dates a POS deals with: 2000 to 2100 (a year like 0001 or 9999 is a typo, and overflows date sums)."""
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(str(_l("Choose dates between 2000 and 2100.")))
