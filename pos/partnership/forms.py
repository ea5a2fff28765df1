from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from pos.domain.money import MoneyError, parse_percent
from pos.web.fields import RupiahField
from pos.web.forms import Form


def percent_check(_form: object, field: StringField) -> None:
    if field.data:
        try:
            parse_percent(field.data)
        except MoneyError as exc:
            raise ValidationError(str(_l("Enter a fee between 0 and 100%, e.g. 12,5."))) from exc


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class OverrideForm(Form):
    """A category's own fee: both or neither. The category is one of the choices the view lists (never an id
    typed into the request)."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    percent = StringField(_l("Fee %"), filters=[_stripped], validators=[Optional(), Length(max=8), percent_check])

    def validate(self, extra_validators: object = None) -> bool:
        if not super().validate(extra_validators):  # type: ignore[arg-type]
            return False
        if self.category.data and not self.percent.data:
            self.percent.errors = [str(_l("Enter the fee for this category, or choose no category."))]
            return False
        if self.percent.data and not self.category.data:
            self.category.errors = [str(_l("Choose the category this fee is for."))]
            return False
        return True


COLLECTORS = [
    SelectChoice("cooperative", _l("The cooperative collects the customers' money")),
    SelectChoice("investor", _l("The investor collects the customers' money")),
]
PERIODS = [
    SelectChoice("monthly", _l("Monthly")),
    SelectChoice("fortnightly", _l("Fortnightly")),
    SelectChoice("weekly", _l("Weekly")),
]


class TermsForm(Form):
    fee_percent = StringField(_l("Fee on net sales (%)"), validators=[DataRequired(), Length(max=8), percent_check])
    overrides = FieldList(FormField(OverrideForm), min_entries=3, max_entries=10)
    collector = SelectField(_l("Who collects"), choices=COLLECTORS)
    period = SelectField(_l("Settlement period"), choices=PERIODS)
    staff_count = IntegerField(_l("Staff provided by the investor"), validators=[InputRequired(), NumberRange(0, 1000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class AgreementForm(TermsForm):
    number = StringField(_l("Agreement number"), validators=[DataRequired(), Length(max=60)])
    cooperative = SelectField(_l("Cooperative"), coerce=int, validators=[InputRequired()])
    investor = SelectField(_l("Investor"), coerce=int, validators=[InputRequired()])
    outlets = SelectMultipleField(_l("Outlets"), coerce=int, validators=[DataRequired()])
    start = DateField(_l("Start date"), validators=[DataRequired()])
    end = DateField(_l("End date (empty: open-ended)"), validators=[Optional()])


class VersionForm(TermsForm):
    effective_from = DateField(_l("Takes effect on"), validators=[DataRequired()])


class SignForm(Form):
    confirm = BooleanField(
        _l("I have checked the figures, the stock and the amount payable, and I sign this statement"),
        validators=[DataRequired(_l("Tick the box to confirm that you have checked the statement."))],
    )


class IssueAllForm(Form):
    outlet = SelectField(_l("Outlet"), coerce=int, validators=[InputRequired()])


class IssueForm(Form):
    outlet = SelectField(_l("Outlet"), coerce=int, validators=[InputRequired()])
    period_start = DateField(_l("Period"), validators=[DataRequired()])


class PaymentForm(Form):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired()])
    amount = RupiahField(_l("Amount"), required=True)
    method = SelectField(
        _l("Method"),
        choices=[
            SelectChoice("transfer", _l("Bank transfer")),
            SelectChoice("cash", _l("Cash")),
            SelectChoice("qris", "QRIS"),
            SelectChoice("other", _l("Other")),
        ],
    )
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=120)])
    confirm_over = BooleanField(_l("Yes, record more than the outstanding amount"))


class DisputeForm(Form):
    comment = TextAreaField(_l("What is disputed"), validators=[DataRequired(), Length(max=4000)])


class ResolveForm(Form):
    resolution = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=4000)])
