"""The SHU screens: the board's calculation for its annual members' meeting (preview, then a numbered, locked
calculation), and what it hands out: CSV, Excel, a PDF with signature blocks, a slip per member. Central and the
administrator read every cooperative's; nobody else sees members' parts."""

from __future__ import annotations

import re
from typing import Any

import wtforms
from babel.dates import get_month_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import FieldList, FormField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pos.core import clock, sheets
from pos.core.errors import PosError
from pos.domain import shu as rule
from pos.domain.money import MoneyError, format_percent, parse_percent, parse_rupiah
from pos.members import purchases
from pos.members import shu as service
from pos.members.views import chosen_cooperative, cooperatives_in_scope, in_scope
from pos.models import Cooperative, Role, ShuCalculation
from pos.web.access import allow
from pos.web.exports import export
from pos.web.forms import Form, first_error
from pos.web.htmx import render
from pos.web.pdf import pdf_response
from pos.web.templating import language
from pos.web.transaction import attempt

bp = Blueprint("shu", __name__, url_prefix="/shu")

R = Role
READERS = (R.BOARD, R.CENTRAL, R.ADMIN)
CODE = re.compile(r"^[a-z0-9_]{1,30}$")
EXTRA_LINES = 2
SHOWN = 500  # members listed on a screen; the exports hold them all
LEAVER_LABELS = {
    rule.Leavers.INCLUDED: _l("Included, with their purchases and savings up to the day they left"),
    rule.Leavers.EXCLUDED: _l("Left out of this year's SHU"),
}


class AllocationLine(wtforms.Form):
    code = HiddenField(validators=[Optional(), Length(max=30)])
    label = StringField(validators=[Optional(), Length(max=120)])
    share = StringField(validators=[Optional(), Length(max=8)])


class ShuForm(Form):
    year = IntegerField(_l("Book year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    shu = StringField(_l("SHU to share (Rp)"), validators=[DataRequired(), Length(max=20)])
    leavers = RadioField(
        _l("Members who left during the year"),
        choices=[SelectChoice(k.value, v) for k, v in LEAVER_LABELS.items()],
        default=rule.Leavers.INCLUDED.value,
    )
    allocations = FieldList(FormField(AllocationLine), min_entries=1, max_entries=len(service.DEFAULT_ALLOCATION) + 4)
    savings_file = FileField(_l("Savings balances (CSV or Excel: member number, balance)"))
    savings_data = HiddenField(validators=[Optional(), Length(max=2_000_000)])
    savings_name = HiddenField(validators=[Optional(), Length(max=120)])
    note = TextAreaField(_l("Note (the meeting, the board's decision)"), validators=[Optional(), Length(max=2000)])


class OfficersForm(Form):
    chair = StringField(_l("Chair"), validators=[Optional(), Length(max=120)])
    secretary = StringField(_l("Secretary"), validators=[Optional(), Length(max=120)])
    start_month = SelectField(_l("The book year starts in"), choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = get_month_names("wide", locale=get_locale())
        self.start_month.choices = [SelectChoice(str(n), names[n].capitalize()) for n in range(1, 13)]


def _officers(cooperative: Cooperative) -> OfficersForm:
    form = OfficersForm(formdata=None)
    form.chair.data, form.secretary.data = cooperative.chair_name, cooperative.secretary_name
    form.start_month.data = str(cooperative.book_year_start_month)
    return form


def _calculation(shu_uuid: str) -> ShuCalculation:
    calc: ShuCalculation = in_scope(ShuCalculation, shu_uuid)
    return calc


@bp.route("")
@allow(*READERS)
def shu_list() -> ResponseReturnValue:
    return _list_page(chosen_cooperative())


def _list_page(cooperative: Cooperative, officers: OfficersForm | None = None, error: str | None = None) -> Any:
    return render(
        "shu/list.html",
        cooperative=cooperative,
        cooperatives=cooperatives_in_scope(),
        calculations=service.of_cooperative(cooperative.id),
        summaries=service.summaries(cooperative.id),
        can_calculate=current_user.role == R.BOARD,
        officers=officers or _officers(cooperative),
        start_month_name=get_month_names("wide", locale=get_locale())[cooperative.book_year_start_month].capitalize(),
        error=error,
    )


@bp.route("/officers", methods=["POST"])
@allow(R.BOARD)
def shu_officers() -> ResponseReturnValue:
    cooperative = chosen_cooperative()
    form = OfficersForm()
    if not form.validate():
        return _list_page(cooperative, form, first_error(form)), 422
    try:
        with attempt():
            service.set_officers(
                cooperative, form.chair.data or "", form.secretary.data or "", int(form.start_month.data), current_user
            )
    except PosError as exc:
        return _list_page(cooperative, form, str(exc)), exc.status
    flash(_("Saved."), "success")
    return redirect(url_for("shu.shu_list", cooperative=cooperative.code), 303)


def _blank(cooperative: Cooperative) -> ShuForm:
    form = ShuForm(formdata=None)
    # the year that just closed, for a meeting early in the next; the running one while nothing closed has figures
    this_year = purchases.current_year(cooperative, clock.today())
    form.year.data = this_year - 1 if purchases.of_year(cooperative.id, this_year - 1) else this_year
    while len(form.allocations.entries):
        form.allocations.pop_entry()
    for code, label, share in service.DEFAULT_ALLOCATION:
        form.allocations.append_entry({"code": code, "label": label, "share": format_percent(share, "id")[:-1]})
    for n in range(EXTRA_LINES):
        form.allocations.append_entry({"code": f"lain_{n + 1}", "label": "", "share": ""})
    return form


def _inputs(cooperative: Cooperative, form: ShuForm) -> service.Inputs:
    try:
        amount = parse_rupiah(form.shu.data or "")
    except MoneyError as exc:
        raise PosError(_("Enter the SHU to share in whole Rupiah, e.g. 125.000.000."), 422) from exc
    lines = []
    codes = set()
    for entry in form.allocations.entries:
        code = (entry.form.code.data or "").strip()
        if not CODE.match(code) or code in codes:
            raise PosError(_("The allocation's lines are not valid. Reload the page."), 422)
        codes.add(code)
        text = (entry.form.share.data or "").strip()
        try:
            share = parse_percent(text) if text else 0
        except MoneyError as exc:
            raise PosError(_("A share is a percentage such as 25 or 2,5."), 422) from exc
        lines.append(service.Allocation(code, " ".join((entry.form.label.data or "").split()), share))
    savings, name = _savings(cooperative, form)
    return service.Inputs(
        year=form.year.data,
        shu=amount,
        allocations=tuple(lines),
        leavers=rule.Leavers(form.leavers.data),
        savings=savings,
        savings_file=name,
        note=(form.note.data or "").strip(),
    )


def _savings(cooperative: Cooperative, form: ShuForm) -> tuple[dict[str, int], str]:
    upload = form.savings_file.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            content = upload.read(sheets.MAX_BYTES + 1)
        finally:
            upload.close()
        name = (upload.filename or "")[:120]
        return service.savings_from_file(cooperative, name, content), name
    carried = form.savings_data.data or ""
    savings: dict[str, int] = {}
    for line in carried.splitlines():
        number, _sep, amount = line.partition("=")
        if not number or not amount.isdigit() or len(amount) > 15:
            raise PosError(_("Upload the savings file again."), 422)
        savings[number] = int(amount)
    return savings, (form.savings_name.data or "")[:120]


def _form_page(cooperative: Cooperative, form: ShuForm, **extra: Any) -> Any:
    return render(
        "shu/form.html", cooperative=cooperative, form=form, leaver_labels=LEAVER_LABELS, shown=SHOWN, **extra
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(R.BOARD)
def shu_new() -> ResponseReturnValue:
    cooperative = chosen_cooperative()
    if request.method == "GET":
        return _form_page(cooperative, _blank(cooperative))
    form = ShuForm()
    if not form.validate():
        return _form_page(cooperative, form, error=first_error(form)), 422
    try:
        inputs = _inputs(cooperative, form)
        if request.form.get("action") != "save":
            result = service.calculate(cooperative, inputs)
            form.savings_data.data = "\n".join(f"{k}={v}" for k, v in sorted(inputs.savings.items()))
            form.savings_name.data = inputs.savings_file
            return _form_page(cooperative, form, result=result)
        with attempt():
            calc = service.save(cooperative, inputs, current_user)
    except PosError as exc:
        return _form_page(cooperative, form, error=str(exc)), exc.status
    return redirect(url_for("shu.shu_detail", shu_uuid=calc.uuid), 303)


def _parts(calc: ShuCalculation) -> list[Any]:
    return service.parts_of(calc)


@bp.route("/<shu_uuid>")
@allow(*READERS)
def shu_detail(shu_uuid: str) -> ResponseReturnValue:
    calc = _calculation(shu_uuid)
    return render("shu/detail.html", calc=calc, parts=_parts(calc), leaver_labels=LEAVER_LABELS, shown=SHOWN)


def _document(calc: ShuCalculation) -> str:
    return render_template(
        "shu/print.html", calc=calc, parts=_parts(calc), leaver_labels=LEAVER_LABELS, lang=language()
    )


@bp.route("/<shu_uuid>/print")
@allow(*READERS)
def shu_print(shu_uuid: str) -> ResponseReturnValue:
    return _document(_calculation(shu_uuid))


@bp.route("/<shu_uuid>.pdf")
@allow(*READERS)
def shu_pdf(shu_uuid: str) -> ResponseReturnValue:
    calc = _calculation(shu_uuid)
    return pdf_response(_document(calc), f"{calc.number}.pdf")


@bp.route("/<shu_uuid>/slips")
@allow(*READERS)
def shu_slips(shu_uuid: str) -> ResponseReturnValue:
    calc = _calculation(shu_uuid)
    return render_template("shu/slips.html", calc=calc, parts=_parts(calc), lang=language())


def _table(calc: ShuCalculation) -> tuple[list[list[object]], list[str], list[list[object]]]:
    preamble: list[list[object]] = [
        [_("SHU calculation"), calc.number],
        [_("Cooperative"), calc.cooperative.name, calc.cooperative.code],
        [_("Book year"), calc.period_start, calc.period_end],
        [_("SHU to share"), calc.shu],
        [_("Members who left during the year"), str(LEAVER_LABELS[rule.Leavers(calc.leavers)])],
        *[[a.label, format_percent(a.share_bp, language()), a.amount] for a in calc.allocations],
        [_("Not distributed (nobody had a claim)"), calc.undistributed],
        [],
    ]
    header = [
        _("Member number"),
        _("Name"),
        _("Purchases"),
        _("Savings"),
        _("On purchases"),
        _("On savings"),
        _("SHU received"),
    ]
    parts = _parts(calc)
    figures = [[p.purchases, p.savings, p.on_purchases, p.on_savings, p.on_purchases + p.on_savings] for p in parts]
    rows: list[list[object]] = [[p.member.number, p.member.full_name, *f] for p, f in zip(parts, figures, strict=True)]
    rows.append(["", _("Total"), *(sum(column) for column in zip(*figures, strict=True))] if figures else [])
    return preamble, header, rows


@bp.route("/<shu_uuid>.csv")
@allow(*READERS)
def shu_csv(shu_uuid: str) -> ResponseReturnValue:
    calc = _calculation(shu_uuid)
    preamble, header, rows = _table(calc)
    return export(calc.number, header, rows, money_columns=(2, 3, 4, 5, 6), preamble=preamble, fmt="csv")


@bp.route("/<shu_uuid>.xlsx")
@allow(*READERS)
def shu_xlsx(shu_uuid: str) -> ResponseReturnValue:
    calc = _calculation(shu_uuid)
    preamble, header, rows = _table(calc)
    return export(calc.number, header, rows, money_columns=(2, 3, 4, 5, 6), preamble=preamble, fmt="xlsx")
