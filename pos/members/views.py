"""The member register's screens: the board keeps it (at central or at an outlet), central and the outlets'
managers read it; NIK numbers only for them. Investors and the facilitator never see members."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pos.core import sheets
from pos.core.errors import PosError
from pos.extensions import db
from pos.members import card, member_import, register
from pos.models import Cooperative, Member, MemberStatus, Role
from pos.web.access import allow, one_by_uuid, scope_for
from pos.web.fields import plausible_date
from pos.web.forms import Form, first_error, url_args
from pos.web.htmx import render
from pos.web.pdf import pdf_response
from pos.web.templating import language
from pos.web.transaction import attempt

bp = Blueprint("members", __name__)

R = Role
READERS = (R.BOARD, R.MANAGER, R.CENTRAL, R.ADMIN)
WRITERS = (R.BOARD, R.CENTRAL, R.ADMIN)
STATUS_LABELS = {
    MemberStatus.ACTIVE: _l("Active"),
    MemberStatus.RESIGNED: _l("Resigned"),
    MemberStatus.DECEASED: _l("Deceased"),
}


class MemberForm(Form):
    number = StringField(_l("Member number"), validators=[DataRequired(), Length(max=30)])
    full_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)], render_kw={"inputmode": "tel"})
    nik = StringField(
        _l("National ID number (NIK, optional)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    village = StringField(_l("Village"), validators=[Optional(), Length(max=120)])
    rt_rw = StringField(_l("RT/RW"), validators=[Optional(), Length(max=10)], render_kw={"placeholder": "003/005"})
    joined_on = DateField(_l("Joined on"), validators=[InputRequired(), plausible_date])
    status = SelectField(_l("Status"), choices=[SelectChoice(k.value, v) for k, v in STATUS_LABELS.items()])
    status_on = DateField(_l("Since (resigned or died)"), validators=[Optional(), plausible_date])


def cooperatives_in_scope() -> list[Cooperative]:
    scope = scope_for(current_user)
    query = db.select(Cooperative).order_by(Cooperative.name)
    if scope.cooperative_ids is not None:
        query = query.where(Cooperative.id.in_(scope.cooperative_ids))
    return list(db.session.scalars(query))


def _chosen(cooperatives: list[Cooperative]) -> Cooperative:
    code = url_args().text("cooperative")
    if not cooperatives:
        abort(404)
    if not code:
        return cooperatives[0]
    found = next((c for c in cooperatives if c.code == code), None)
    if found is None:
        abort(404)
    return found


def chosen_cooperative() -> Cooperative:
    """The cooperative the address names (``?cooperative=``), or the user's first; another's is a 404."""
    return _chosen(cooperatives_in_scope())


def in_scope(model: Any, key: str) -> Any:
    """A record of one of the user's cooperatives (a member, an SHU calculation) by its UUID, else a 404."""
    scope = scope_for(current_user)
    query = db.select(model)
    if scope.cooperative_ids is not None:
        query = query.where(model.cooperative_id.in_(scope.cooperative_ids))
    return one_by_uuid(query, model, key)


def _member_in_scope(member_uuid: str) -> Member:
    return in_scope(Member, member_uuid)


@bp.route("/members")
@allow(*READERS)
def member_list() -> ResponseReturnValue:
    cooperatives = cooperatives_in_scope()
    chosen = _chosen(cooperatives)
    text = (url_args().text("q") or "").strip()[:40]
    return render(
        "members/list.html",
        "rows",
        members=register.of_cooperative(chosen.id, text),
        cooperatives=cooperatives,
        chosen=chosen,
        q=text,
        labels=STATUS_LABELS,
        can_edit=current_user.role in WRITERS,
    )


def _data(form: MemberForm) -> register.MemberData:
    return register.MemberData(
        number=form.number.data or "",
        full_name=form.full_name.data or "",
        joined_on=form.joined_on.data,
        phone=form.phone.data or "",
        nik=form.nik.data or None,
        village=form.village.data or "",
        rt_rw=form.rt_rw.data or "",
        status=MemberStatus(form.status.data),
        status_on=form.status_on.data,
    )


def _form_page(form: MemberForm, cooperative: Cooperative, member: Member | None, error: str | None) -> Any:
    return render("members/form.html", form=form, cooperative=cooperative, member=member, error=error)


@bp.route("/members/new", methods=["GET", "POST"])
@allow(*WRITERS)
def member_new() -> ResponseReturnValue:
    cooperative = chosen_cooperative()
    form = MemberForm()
    if request.method == "GET":
        return _form_page(form, cooperative, None, None)
    if not form.validate():
        return _form_page(form, cooperative, None, first_error(form)), 422
    try:
        with attempt():
            member = register.save(cooperative, _data(form), current_user)
    except PosError as exc:
        return _form_page(form, cooperative, None, str(exc)), exc.status
    flash(_("Member %(number)s saved.", number=member.number), "success")
    return redirect(url_for("members.member_list", cooperative=cooperative.code), 303)


@bp.route("/members/<cooperative_member_uuid>", methods=["GET", "POST"])
@allow(*WRITERS)
def member_edit(cooperative_member_uuid: str) -> ResponseReturnValue:
    member = _member_in_scope(cooperative_member_uuid)
    cooperative = member.cooperative
    if request.method == "GET":
        form = MemberForm(formdata=None, obj=member)
        form.status.data = member.status.value
        return _form_page(form, cooperative, member, None)
    form = MemberForm()
    if not form.validate():
        return _form_page(form, cooperative, member, first_error(form)), 422
    try:
        with attempt():
            register.save(cooperative, _data(form), current_user, member)
    except PosError as exc:
        return _form_page(form, cooperative, member, str(exc)), exc.status
    flash(_("Member %(number)s saved.", number=member.number), "success")
    return redirect(url_for("members.member_list", cooperative=cooperative.code), 303)


def _card(member: Member, module_um: int) -> dict[str, Any]:
    code = register.card_code(member)
    return {"member": member, "code": code, "qr": card.qr_svg(code), "bars": card.code128_svg(code, module_um)}


@bp.route("/members/cards")
@allow(*READERS)
def member_cards() -> ResponseReturnValue:
    """An A4 sheet of cards (85.6 × 54 mm, ten to a page) of the active members the list shows."""
    cooperatives = cooperatives_in_scope()
    chosen = _chosen(cooperatives)
    text = (url_args().text("q") or "").strip()[:40]
    members = [m for m in register.of_cooperative(chosen.id, text) if m.status == MemberStatus.ACTIVE]
    page = render_template(
        "members/cards.html", cooperative=chosen, cards=[_card(m, 200) for m in members], lang=language()
    )
    if url_args().text("format") != "pdf":
        return page
    return pdf_response(page, f"kartu-anggota-{chosen.code}.pdf")


@bp.route("/members/<cooperative_member_uuid>/card")
@allow(*READERS)
def member_card(cooperative_member_uuid: str) -> ResponseReturnValue:
    """One card on the outlet's 58 mm receipt printer, from the browser."""
    member = _member_in_scope(cooperative_member_uuid)
    return render_template("members/card_slip.html", card=_card(member, 250), lang=language())


class ImportForm(Form):
    file = FileField(_l("Member list (Excel .xlsx or CSV, at most 2 MB)"), validators=[DataRequired()])


def _import_page(cooperative: Cooperative, form: ImportForm, error: str | None = None) -> Any:
    return render("members/import.html", cooperative=cooperative, form=form, error=error)


@bp.route("/members/import", methods=["GET", "POST"])
@allow(*WRITERS)
def member_import_page() -> ResponseReturnValue:
    cooperative = chosen_cooperative()
    form = ImportForm()
    if request.method == "GET":
        return _import_page(cooperative, form)
    if not form.validate():
        return _import_page(cooperative, form, _("Choose the file to upload.")), 422
    upload = form.file.data
    try:
        content = upload.read(sheets.MAX_BYTES + 1)
    finally:
        upload.close()
    try:
        with attempt():
            count = member_import.apply(
                cooperative,
                member_import.check(cooperative, sheets.read(upload.filename or "", content)),
                current_user,
            )
    except PosError as exc:
        return _import_page(cooperative, form, str(exc)), exc.status
    flash(_("%(n)s members imported.", n=count), "success")
    return redirect(url_for("members.member_list", cooperative=cooperative.code), 303)


@bp.route("/members/import/template.csv")
@allow(*WRITERS)
def member_import_template() -> ResponseReturnValue:
    return Response(
        member_import.TEMPLATE.encode("utf-8-sig"),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="daftar-anggota.csv"'},
    )
