"""The filters every report shares: a period, a region, a cooperative, an investor and an outlet.

Each filter is checked against what the user may see: an unknown or hidden id answers 404, a bad period 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from pos.core.clock import business_date
from pos.core.errors import PosError
from pos.core.zones import user_zone
from pos.domain.periods import report_default, report_presets
from pos.extensions import db
from pos.models import Cooperative, Investor, Outlet, Role
from pos.partnership import supply
from pos.reports import figures
from pos.reports.figures import Slice
from pos.web.access import scope_for
from pos.web.fields import EARLIEST, LATEST
from pos.web.forms import Form, url_args

MAX_DAYS = 366


class Filters(Form):
    class Meta:
        csrf = False

    start = DateField(validators=[Optional()])
    end = DateField(validators=[Optional()])
    region = StringField(validators=[Optional(), Length(max=120)])
    cooperative = StringField(validators=[Optional(), Length(max=40)])
    investor = StringField(validators=[Optional(), Length(max=40)])
    outlet = StringField(validators=[Optional(), Length(max=20)])


@dataclass(frozen=True, slots=True)
class Chosen:
    """The validated filters: the slice of sales and the outlets in scope (None = every outlet)."""

    piece: Slice
    outlets: Select[Any] | None
    today: date
    form: Filters
    cooperative: Cooperative | None
    investor: Investor | None
    outlet: Outlet | None

    @property
    def presets(self) -> list[tuple[str, dict[str, str], bool]]:
        """(label, the address's arguments, whether it is the period shown) for each one-tap period."""
        labels = {
            "today": _("Today"),
            "week": _("This week"),
            "month": _("This month"),
            "last_month": _("Last month"),
            "year": _("This year"),
        }
        kept = {k: v for k, v in self.args.items() if k not in ("start", "end")}
        return [
            (
                labels[key],
                {**kept, "start": first.isoformat(), "end": last.isoformat()},
                (first, last) == (self.piece.first, self.piece.last),
            )
            for key, (first, last) in report_presets(self.today).items()
        ]

    @property
    def args(self) -> dict[str, str]:
        return {k: v for k, v in request.args.items() if k in self.form.data and v}


def today() -> date:
    return business_date(user_zone())


def period(form: Filters, default_first: date | None = None) -> tuple[date, date]:
    now = today()
    first = form.start.data or default_first or report_default(now)[0]
    last = form.end.data or now
    if not (first >= EARLIEST and last <= LATEST):
        raise PosError(_("Choose dates between 2000 and 2100."))
    if first > last:
        raise PosError(_("Check the dates: the start must be on or before the end."))
    if (last - first).days >= MAX_DAYS:
        raise PosError(_("Choose at most a year at a time."))
    return first, last


def choose(default_first: date | None = None) -> Chosen:
    figures.prepare()
    form = Filters(request.args)
    if not form.validate():
        raise PosError(_("Check the filters: dates are YYYY-MM-DD and codes are short."))
    first, last = period(form, default_first)
    scope = scope_for(current_user)
    outlets = db.select(Outlet.id)
    narrowed = False
    if scope.outlet_ids is not None:
        outlets = outlets.where(Outlet.id.in_(sorted(scope.outlet_ids)))
        narrowed = True
    coop = investor = outlet = None
    if form.region.data:
        visible = db.select(Cooperative.id).where(Cooperative.region == form.region.data)
        if scope.cooperative_ids is not None:
            visible = visible.where(Cooperative.id.in_(sorted(scope.cooperative_ids)))
        if db.session.scalar(visible.limit(1)) is None:
            abort(404)
        outlets = outlets.where(Outlet.cooperative_id.in_(visible.scalar_subquery()))
        narrowed = True
    if form.cooperative.data:
        coop = db.session.scalar(db.select(Cooperative).where(Cooperative.code == form.cooperative.data))
        if coop is None or not scope.sees_cooperative(coop.id):
            abort(404)
        outlets = outlets.where(Outlet.cooperative_id == coop.id)
        narrowed = True
    if form.outlet.data:
        outlet = db.session.scalar(db.select(Outlet).where(Outlet.code == form.outlet.data))
        if outlet is None or not scope.sees_outlet(outlet.id):
            abort(404)
        outlets = outlets.where(Outlet.id == outlet.id)
        narrowed = True
    if current_user.role == Role.INVESTOR:
        investor = db.session.get(Investor, current_user.investor_id)
        if investor is None or form.investor.data not in (None, "", investor.code):
            abort(404)
        supplied = sorted(o.id for o in supply.outlets_of(investor.id))
        if outlet is not None and outlet.id not in supplied:
            abort(404)
        outlets = outlets.where(Outlet.id.in_(supplied))
        narrowed = True
    elif form.investor.data:
        investor = next((i for i in investors() if i.code == form.investor.data), None)
        if investor is None:  # unknown, or an investor this user may not see
            abort(404)
    chosen_outlets = outlets if narrowed else None
    return Chosen(
        Slice(first, last, chosen_outlets, investor.id if investor else None),
        chosen_outlets,
        today(),
        form,
        coop,
        investor,
        outlet,
    )


def investors() -> list[Investor]:
    """The investors this user may choose: all for the central office, else those with an agreement at one of
    the user's outlets (a cooperative's board never learns the names of investors that supply it nothing)."""
    from pos.models import Agreement, agreement_outlet

    scope = scope_for(current_user)
    query = db.select(Investor).order_by(Investor.name)
    if scope.investor_ids is not None:
        query = query.where(Investor.id.in_(sorted(scope.investor_ids)))
    if scope.outlet_ids is not None:
        partners = (
            db.select(Agreement.investor_id)
            .join(agreement_outlet, agreement_outlet.c.agreement_id == Agreement.id)
            .where(agreement_outlet.c.outlet_id.in_(sorted(scope.outlet_ids)))
        )
        query = query.where(Investor.id.in_(partners))
    return list(db.session.scalars(query))


def regions() -> list[str]:
    scope = scope_for(current_user)
    query = db.select(Cooperative.region).where(Cooperative.region != "").distinct().order_by(Cooperative.region)
    if scope.cooperative_ids is not None:
        query = query.where(Cooperative.id.in_(sorted(scope.cooperative_ids)))
    return list(db.session.scalars(query))


def page_number() -> int:
    text = url_args().text("page") or "1"
    return max(1, min(int(text), 100_000)) if text.isdigit() else 1
