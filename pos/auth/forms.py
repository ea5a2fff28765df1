from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from pos.web.forms import Form


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PinForm(Form):
    pin = PasswordField(
        _l("PIN"),
        validators=[
            DataRequired(),
            Regexp(r"^[0-9]{4,8}$", message=_l("A PIN has 4 to 8 digits.")),
        ],
    )


class LanguageForm(Form):
    language = StringField(validators=[DataRequired(), Regexp(r"^(id|en)$")])
    next = HiddenField()
