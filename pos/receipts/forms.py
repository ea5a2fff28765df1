from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from pos.domain.slip import MAX_WIDTH, MIN_WIDTH
from pos.receipts.printers import KINDS, PATHS
from pos.web.forms import Form

PAPERS = [SelectChoice(58, "58 mm"), SelectChoice(80, "80 mm")]


class PrinterForm(Form):
    register = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**62)])
    print_via = SelectField(_l("How this register prints"), choices=[SelectChoice(k, v) for k, v in PATHS.items()])
    printer_kind = SelectField(
        _l("Printer on the outlet server"), choices=[SelectChoice(k, v) for k, v in KINDS.items()]
    )
    printer_address = StringField(
        _l("Printer address"), validators=[Optional(), Length(max=120)], filters=[lambda v: (v or "").strip()]
    )
    paper_mm = SelectField(_l("Paper"), coerce=int, choices=PAPERS)
    chars_per_line = IntegerField(
        _l("Characters a line"), validators=[InputRequired(), NumberRange(min=MIN_WIDTH, max=MAX_WIDTH)]
    )
    printer_cut = BooleanField(_l("Cut the paper after each receipt"))
    drawer_kick = BooleanField(_l("Open the cash drawer on cash sales"))


class PaperForm(Form):
    paper_mm = SelectField(_l("Paper"), coerce=int, choices=PAPERS)
    sale = StringField(validators=[Optional(), Length(max=36)])


class WhatsAppForm(Form):
    class Meta:
        csrf = False  # it only opens wa.me: nothing is written

    phone = StringField(_l("Customer's WhatsApp number"), validators=[InputRequired(), Length(max=30)])
