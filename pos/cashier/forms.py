from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from pos.domain.cash import DENOMINATIONS
from pos.web.fields import RupiahField
from pos.web.forms import Form

PIN = [Optional(), Regexp(r"^[0-9]{4,8}$", message=_l("A PIN has 4 to 8 digits."))]


class OpenShiftForm(Form):
    register = SelectField(_l("Register"), coerce=int, validators=[InputRequired()])
    opening_float = RupiahField(_l("Opening cash (float)"), required=True)


class ScanForm(Form):
    code = StringField(_l("Scan or search"), validators=[DataRequired(), Length(max=60)])
    # Made by the till for each code it reads, so a scan sent again after a lost answer is applied once.
    scan_id = StringField(validators=[Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9-]+$")])
    # The cart revision the till shows: when it is the one just changed, only the changed line is sent back
    # (anything else, however malformed, gets the whole cart).
    revision = StringField(validators=[Optional(), Length(max=20)])


class AddForm(Form):
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)])


class QuantityForm(Form):
    quantity = StringField(_l("Quantity"), validators=[Optional(), Length(max=20)])
    delta = IntegerField(validators=[Optional(), NumberRange(min=-1, max=1)])


class DiscountForm(Form):
    discount = RupiahField(_l("Discount (Rp)"), required=True)
    manager_pin = StringField(_l("Manager PIN"), validators=PIN)


class ClearForm(Form):
    confirm = HiddenField(validators=[DataRequired()])


class PayForm(Form):
    key = HiddenField(validators=[DataRequired(), Length(max=40)])
    revision = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    cash = RupiahField(_l("Cash received"))
    qris = RupiahField(_l("QRIS amount"))
    transfer = RupiahField(_l("Transfer amount"))
    transfer_reference = StringField(_l("Transfer reference"), validators=[Optional(), Length(max=80)])
    qris_confirmed = BooleanField(_l("I saw the QRIS payment arrive"))


class CashMoveForm(Form):
    kind = SelectField(_l("Type"), choices=[SelectChoice("in", _l("Cash in")), SelectChoice("out", _l("Cash out"))])
    amount = RupiahField(_l("Amount"), required=True)
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])


class CloseShiftForm(Form):
    manager_pin = StringField(_l("Manager PIN"), validators=PIN)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=255)])


def denomination_fields() -> list[tuple[int, str]]:
    return [(d, f"n{d}") for d in DENOMINATIONS]


class ReverseForm(Form):
    key = HiddenField(validators=[DataRequired(), Length(max=40)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])
    manager_pin = StringField(_l("Manager PIN"), validators=[DataRequired(), *PIN[1:]])


def _stripped(value: str | None) -> str | None:
    return value.strip() if value else value


WHOLE_PIECES = Regexp(r"^[0-9]{1,6}$", message=_l("Counts of notes and coins are whole numbers."))
for _denomination, _name in denomination_fields():  # a field per banknote and coin, n100000 ... n100
    setattr(
        CloseShiftForm,
        _name,
        StringField(filters=[lambda v: v.strip() if v else v], validators=[Optional(), WHOLE_PIECES]),
    )


def reverse_form_for(line_ids: list[int]) -> type[ReverseForm]:
    """The refund form of one sale: a quantity field per line (``qty-<line id>``), as typed (parsed per unit)."""
    fields = {
        f"qty-{line_id}": StringField(
            filters=[lambda v: v.strip() if v else v], validators=[Optional(), Length(max=12)]
        )
        for line_id in line_ids
    }
    return type("SaleReverseForm", (ReverseForm,), fields)


class TillSettingsForm(Form):
    cash_rounding = SelectField(
        _l("Cash rounding"),
        coerce=int,
        choices=[
            SelectChoice(0, _l("None: cash is paid to the Rupiah")),
            SelectChoice(100, _l("To the nearest Rp100")),
            SelectChoice(500, _l("To the nearest Rp500")),
        ],
    )
    show_expected_cash = BooleanField(_l("Show the expected cash before the drawer is counted"))


class ReceiptSettingsForm(Form):
    npwp = StringField(_l("NPWP (if the outlet has one)"), validators=[Optional(), Length(max=30)])
    nitku = StringField(_l("NITKU (if the outlet has one)"), validators=[Optional(), Length(max=30)])
    receipt_footer = StringField(_l("Receipt footer"), validators=[Optional(), Length(max=160)])


class QrisPhotoForm(Form):
    photo = FileField(_l("Photo of the QRIS sticker"), validators=[DataRequired()])


class QrisSettingsForm(Form):
    payload = TextAreaField(_l("Static QRIS payload"), validators=[DataRequired(), Length(max=600)])
