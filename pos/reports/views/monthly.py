"""The monthly programme report: one month's figures on A4, printable and as a PDF."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from pos.core.errors import PosError
from pos.domain.charts import bar_chart
from pos.partnership import obligations
from pos.reports import figures
from pos.reports.views import bp
from pos.reports.views.filters import choose, today
from pos.reports.views.overview import READERS
from pos.staff.roster import JOBS_TARGET
from pos.web.access import allow
from pos.web.forms import url_args
from pos.web.pdf import pdf_response
from pos.web.templating import language

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month() -> date:
    text = url_args().text("month") or ""
    if not text:
        return figures.months_back(today(), 2)[0]  # the last whole month
    found = MONTH.match(text)
    if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2100:
        raise PosError(_("Choose a month as YYYY-MM."))
    return date(int(found[1]), int(found[2]), 1)


@bp.route("/reports/monthly")
@allow(*READERS)
def monthly_report() -> ResponseReturnValue:
    """The monthly programme report as a printable page, or a PDF with ``?format=pdf``."""
    month = _month()
    chosen = choose()
    last = min(figures.month_end(month), chosen.today)
    if month > chosen.today:
        raise PosError(_("That month has not started yet."))
    piece = replace(chosen.piece, first=month, last=last)
    previous_month = (month - timedelta(days=1)).replace(day=1)
    previous = figures.totals(replace(piece, first=previous_month, last=month - timedelta(days=1)), chosen.today)
    by_day = figures.daily(piece)
    days = [month + timedelta(days=n) for n in range((last - month).days + 1)]
    html = render_template(
        "reports/monthly.html",
        c=chosen,
        month=month,
        last=last,
        totals=figures.totals(piece, chosen.today),
        previous=previous,
        chart=bar_chart(
            [str(d.day) for d in days], [by_day.get(d, 0) for d in days], title=_("Net sales per day"), lang=language()
        ),
        best=figures.ranked_outlets(piece, chosen.today, chosen.outlets, limit=15),
        products=figures.top_products(piece, chosen.today, limit=15),
        jobs=figures.jobs_summary(chosen.outlets, last),
        below=figures.jobs_rows(chosen.outlets, last, only_below=True, limit=30),
        target=JOBS_TARGET,
        statements=obligations.summary(chosen.outlets, month, last),
    )
    if url_args().text("format") != "pdf":
        return html
    return pdf_response(html, f"laporan-program-{month:%Y-%m}.pdf")
