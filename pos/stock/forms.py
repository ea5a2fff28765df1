from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from pos.web.fields import RupiahField, plausible_date
from pos.web.forms import Form, LineForm

CODE = [Optional(), Length(max=60)]
QTY = [Optional(), Length(max=20)]


class ProductForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    sku = StringField(
        _l("SKU"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9._/-]+$", message=_l("Letters, digits and . _ / - only.")),
        ],
    )
    barcode = StringField(
        _l("Barcode (EAN-13)"),
        validators=[Optional(), Regexp(r"^[0-9]{8}([0-9]{5})?$", message=_l("A barcode has 13 (or 8) digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    unit = SelectField(_l("Unit"))
    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    price = RupiahField(_l("Selling price"))
    cost = RupiahField(_l("Cost (optional)"))
    tracks_expiry = BooleanField(_l("Track expiry dates"))
    favourite = BooleanField(_l("Show as a quick button at the till"))
    active = BooleanField(_l("On sale"), default=True)


class PriceForm(Form):
    price = RupiahField(_l("New selling price"), required=True)
    effective_at = DateTimeLocalField(
        _l("Takes effect at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[InputRequired()]
    )


class PhotoForm(Form):
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 512 KB)"), validators=[DataRequired()])


class PlannedLineForm(LineForm):
    code = StringField(_l("Product (SKU or barcode)"), validators=CODE)
    quantity = StringField(_l("Quantity"), validators=QTY)
    batch = StringField(_l("Batch"), validators=[Optional(), Length(max=40)])
    expiry_date = DateField(_l("Expiry date"), validators=[Optional()])


class DeliveryForm(Form):
    outlet = SelectField(_l("Outlet"), coerce=int, validators=[InputRequired()])
    expected_on = DateField(_l("Expected on"), validators=[InputRequired()])
    driver = StringField(_l("Driver / vehicle"), validators=[Optional(), Length(max=120)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    lines = FieldList(FormField(PlannedLineForm), min_entries=6, max_entries=500)


class ReceivedLineForm(LineForm):
    line_id = IntegerField(validators=[InputRequired()])
    good = StringField(_l("Received in good condition"), validators=QTY)
    damaged = StringField(_l("Damaged"), validators=QTY)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])


class ReceiveForm(Form):
    lines = FieldList(FormField(ReceivedLineForm), max_entries=500)
    note = TextAreaField(_l("Note for the handover record"), validators=[Optional(), Length(max=1000)])


class StartCountForm(Form):
    investor = SelectField(_l("Investor"), coerce=int, validators=[Optional()])
    category = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    flagged_only = BooleanField(_l("Only products flagged for a count"))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=255)])


class CountLineForm(Form):
    counted = StringField(_l("Counted"), validators=QTY, render_kw={"inputmode": "decimal", "autocomplete": "off"})
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])


class CodeForm(Form):
    code = StringField(_l("Scan or type a barcode / SKU"), validators=[DataRequired(), Length(max=60)])


class ItemLineForm(LineForm):
    code = StringField(_l("Product (SKU or barcode)"), validators=CODE)
    quantity = StringField(_l("Quantity"), validators=QTY)
    description = StringField(_l("Or describe the goods"), validators=[Optional(), Length(max=160)])


class ReturnForm(Form):
    investor = SelectField(_l("Investor"), coerce=int, validators=[InputRequired()])
    reason = SelectField(_l("Reason"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    lines = FieldList(FormField(ItemLineForm), min_entries=5, max_entries=500)


class RestockForm(Form):
    investor = SelectField(_l("Investor"), coerce=int, validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    lines = FieldList(FormField(ItemLineForm), min_entries=5, max_entries=200)


class DeclineForm(Form):
    answer = StringField(_l("Why is the request declined?"), validators=[DataRequired(), Length(max=255)])


class WriteOffForm(Form):
    code = StringField(_l("Product (SKU or barcode)"), validators=[DataRequired(), Length(max=60)])
    quantity = StringField(_l("Quantity"), validators=[DataRequired(), Length(max=20)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])


class LevelForm(Form):
    level = StringField(_l("Reorder level"), validators=QTY, render_kw={"inputmode": "decimal"})


class StockSettingsForm(Form):
    expiry_warning_days = IntegerField(
        _l("Warn about expiry this many days ahead"), validators=[InputRequired(), NumberRange(min=0, max=365)]
    )


class RangeForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional(), plausible_date])
    end = DateField(_l("To"), validators=[Optional(), plausible_date])
    outlet = StringField(validators=[Optional(), Length(max=40)])


class ImportForm(Form):
    file = FileField(_l("Catalogue file (Excel .xlsx or CSV, at most 2 MB)"), validators=[DataRequired()])


class ImportConfirmForm(Form):
    skip_bad = BooleanField(_l("Import the good rows and skip the bad ones"))
