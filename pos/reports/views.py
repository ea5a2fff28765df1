"""The programme dashboard: sales, fees, shares, outlets ranked, daily trend, sync and jobs — from rollups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from pos.domain.charts import bar_chart
from pos.extensions import db
from pos.models import Cooperative, Dispute, Outlet, OutletDayRollup, OutletSyncState, Role
from pos.reports import bp
from pos.services import staff as staff_service
from pos.services.clock import business_date
from pos.services.errors import PosError
from pos.stock.common import export
from pos.web.access import allow, scope_for
from pos.web.htmx import render

R = Role
MAX_DAYS = 366


class Filters(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(validators=[Optional()])
    end = DateField(validators=[Optional()])
    cooperative = StringField(validators=[Optional(), Length(max=40)])
    outlet = StringField(validators=[Optional(), Length(max=20)])


def _period(form: Filters) -> tuple[date, date]:
    today = business_date("Asia/Jakarta")
    first = form.start.data or today.replace(day=1)
    last = form.end.data or today
    if first > last:
        raise PosError(_("Check the dates: the start must be on or before the end."))
    if (last - first).days >= MAX_DAYS:
        raise PosError(_("Choose at most a year at a time."))
    return first, last


def _outlets(form: Filters) -> list[Outlet]:
    scope = scope_for(current_user)
    query = db.select(Outlet).join(Outlet.cooperative).order_by(Outlet.name)
    if scope.outlet_ids is not None:
        query = query.where(Outlet.id.in_(scope.outlet_ids))
    if form.cooperative.data:
        coop = db.session.scalar(db.select(Cooperative).where(Cooperative.code == form.cooperative.data))
        if coop is None or not scope.sees_cooperative(coop.id):
            abort(404)
        query = query.where(Outlet.cooperative_id == coop.id)
    outlets = list(db.session.scalars(query))
    if form.outlet.data:
        outlets = [o for o in outlets if o.code == form.outlet.data]
        if not outlets:
            abort(404)
    return outlets


@bp.route("/reports")
@allow(R.CENTRAL, R.ADMIN, R.BOARD)
def dashboard():  # type: ignore[no-untyped-def]
    form = Filters(request.args)
    if not form.validate():
        raise PosError(_("Check the dates: the start must be on or before the end."))
    first, last = _period(form)
    outlets = _outlets(form)
    ids = [o.id for o in outlets]
    in_period = (OutletDayRollup.day >= first) & (OutletDayRollup.day <= last) & OutletDayRollup.outlet_id.in_(ids)
    per_outlet = {
        outlet_id: (sales, refunds, total, fee, share)
        for outlet_id, sales, refunds, total, fee, share in db.session.execute(
            db.select(
                OutletDayRollup.outlet_id,
                func.sum(OutletDayRollup.sales),
                func.sum(OutletDayRollup.refunds),
                func.sum(OutletDayRollup.total),
                func.sum(OutletDayRollup.fee),
                func.sum(OutletDayRollup.investor_share),
            )
            .where(in_period)
            .group_by(OutletDayRollup.outlet_id)
        )
    }
    by_day = dict(
        db.session.execute(
            db.select(OutletDayRollup.day, func.sum(OutletDayRollup.total))
            .where(in_period)
            .group_by(OutletDayRollup.day)
        ).all()
    )
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    chart = bar_chart(
        [f"{d.day}/{d.month}" for d in days],
        [int(by_day.get(d, 0)) for d in days],
        title=_("Net sales per day"),
    )
    ranked = sorted(
        (
            {
                "outlet": o,
                "sales": int(per_outlet.get(o.id, (0,) * 5)[0] or 0),
                "refunds": int(per_outlet.get(o.id, (0,) * 5)[1] or 0),
                "total": int(per_outlet.get(o.id, (0,) * 5)[2] or 0),
                "fee": int(per_outlet.get(o.id, (0,) * 5)[3] or 0),
                "share": int(per_outlet.get(o.id, (0,) * 5)[4] or 0),
            }
            for o in outlets
        ),
        key=lambda row: (-row["total"], row["outlet"].name),
    )
    totals = {key: sum(row[key] for row in ranked) for key in ("sales", "refunds", "total", "fee", "share")}
    totals["basket"] = totals["total"] // totals["sales"] if totals["sales"] else 0
    if request.args.get("format"):
        header = [
            _("Outlet"),
            _("Cooperative"),
            _("Sales"),
            _("Refunds"),
            _("Net sales"),
            _("Cooperative fee"),
            _("Investor share"),
        ]
        rows = [
            [r["outlet"].code, r["outlet"].cooperative.name, r["sales"], r["refunds"], r["total"], r["fee"], r["share"]]
            for r in ranked
        ]
        return export(f"laporan-{first}-{last}", header, rows, money_columns=(4, 5, 6))
    states = dict(
        db.session.execute(
            db.select(OutletSyncState.outlet_id, OutletSyncState.last_seen_at).where(OutletSyncState.outlet_id.in_(ids))
        ).all()
    )
    disputes = (
        db.session.scalar(db.select(func.count(Dispute.id)).where(Dispute.resolved_at.is_(None)))
        if current_user.role in (R.CENTRAL, R.ADMIN)
        else None
    )
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "format"}
    return render(
        "reports/dashboard.html",
        first=first,
        last=last,
        totals=totals,
        ranked=ranked,
        chart=chart,
        jobs=staff_service.jobs(outlets, last),
        target=staff_service.JOBS_TARGET,
        states=states,
        disputes=disputes,
        cooperatives=db.session.scalars(db.select(Cooperative).order_by(Cooperative.name)).all()
        if current_user.role in (R.CENTRAL, R.ADMIN)
        else [],
        form=form,
        args=args,
    )
