"""The onboarding forms. Codes and usernames are checked again by the operations (the command line uses them
too)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from pos.web.forms import Form
from pos.web.labels import ZONES


def zone_choices() -> list[tuple[str, str]]:
    return [(zone, f"{label} — {zone}") for zone, label in ZONES.items()]


class CooperativeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], render_kw={"autocomplete": "off"})
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    chair_name = StringField(_l("Chair"), validators=[Optional(), Length(max=120)])


class OutletForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], render_kw={"autocomplete": "off"})
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    cooperative = SelectField(_l("Cooperative"), coerce=int)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    timezone = SelectField(_l("Time zone"), choices=zone_choices, default="Asia/Jakarta")


class RegisterForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], render_kw={"autocomplete": "off"})
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])


class InvestorForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], render_kw={"autocomplete": "off"})
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)], render_kw={"inputmode": "tel"})
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    username = StringField(
        _l("Login for the investor (username, optional)"),
        validators=[Optional(), Length(max=60)],
        render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        _l("Password for that login"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class CategoryForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], render_kw={"autocomplete": "off"})
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])


class UserForm(Form):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=60)], render_kw={"autocomplete": "off"}
    )
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"))
    outlet = SelectField(_l("Outlet (cashier, outlet manager)"), coerce=int, validators=[Optional()])
    cooperative = SelectField(_l("Cooperative (board)"), coerce=int, validators=[Optional()])
    investor = SelectField(_l("Investor (investor login)"), coerce=int, validators=[Optional()])
    password = PasswordField(
        _l("Password (at least 8 characters)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    pin = PasswordField(
        _l("PIN (6 to 8 digits; cashiers and managers)"),
        validators=[Optional(), Length(max=8)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
