"""Template filters and globals: money, local time, navigation."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, url_for
from flask_babel import format_date, format_datetime, get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import FileSystemBytecodeCache

from pos.core import clock
from pos.core.zones import user_zone
from pos.domain.money import format_percent, format_rupiah, line_amount
from pos.domain.quantity import format_quantity
from pos.domain.units import unit
from pos.models import Product, Role
from pos.web import labels

R = Role
NAV: list[tuple[str, object, frozenset[Role]]] = [
    ("home.dashboard", _l("Overview"), frozenset(Role) - {R.CASHIER}),
    ("cashier.register", _l("Sell"), frozenset({R.CASHIER, R.MANAGER})),
    ("cashier.history", _l("Sales"), frozenset({R.CASHIER, R.MANAGER})),
    ("home.products", _l("Products"), frozenset({R.MANAGER, R.INVESTOR, R.CENTRAL, R.ADMIN})),
    ("stock.stock_list", _l("Stock"), frozenset({R.MANAGER, R.INVESTOR, R.BOARD, R.CENTRAL, R.ADMIN})),
    ("home.outlets", _l("Outlets"), frozenset({R.BOARD, R.FACILITATOR})),
    ("onboarding.index", _l("Outlets"), frozenset({R.CENTRAL, R.ADMIN})),
    ("cashier.till_settings", _l("Till settings"), frozenset({R.MANAGER})),
    (
        "partnership.agreements_list",
        _l("Agreements"),
        frozenset({R.CENTRAL, R.ADMIN, R.BOARD, R.INVESTOR, R.FACILITATOR}),
    ),
    ("partnership.statements", _l("Statements"), frozenset({R.CENTRAL, R.ADMIN, R.BOARD, R.INVESTOR})),
    ("partnership.fees", _l("Fee income"), frozenset({R.BOARD, R.CENTRAL, R.ADMIN})),
    ("reports.dashboard", _l("Reports"), frozenset({R.CENTRAL, R.ADMIN})),
    ("reports.cooperative", _l("Reports"), frozenset({R.BOARD})),
    ("reports.investor", _l("Reports"), frozenset({R.INVESTOR})),
    ("reports.transparency", _l("Partnerships"), frozenset({R.FACILITATOR})),
    ("staff.staff_list", _l("Staff"), frozenset({R.MANAGER, R.BOARD, R.CENTRAL, R.ADMIN})),
    ("members.member_list", _l("Members"), frozenset({R.BOARD, R.MANAGER, R.CENTRAL, R.ADMIN})),
    ("shu.shu_list", _l("SHU"), frozenset({R.BOARD, R.CENTRAL, R.ADMIN})),
    ("sync.sync_status", _l("Sync"), frozenset({R.MANAGER})),
    ("sync.health", _l("Sync health"), frozenset({R.CENTRAL, R.ADMIN})),
]


ROLE_LABELS = {
    R.CASHIER: _l("Cashier"),
    R.MANAGER: _l("Outlet manager"),
    R.INVESTOR: _l("Investor"),
    R.BOARD: _l("Cooperative board"),
    R.CENTRAL: _l("Central office"),
    R.FACILITATOR: _l("Facilitator"),
    R.ADMIN: _l("Administrator"),
}


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[role])


def actor(user: object) -> str:
    """Who did something, as the reader may see it: a person's name, but only the role and the organisation
    to the facilitator (the public side of the partnership sees organisations, never people)."""
    if user is None:
        return str(_l("system"))
    if getattr(current_user, "role", None) != R.FACILITATOR:
        return str(user.full_name)  # type: ignore[attr-defined]
    org = user.investor or user.cooperative or user.outlet  # type: ignore[attr-defined]
    label = role_label(user.role)  # type: ignore[attr-defined]
    return f"{label} · {org.name}" if org is not None else label


def language() -> str:
    locale = get_locale()
    return locale.language if locale else "id"


def rp(amount: int | None) -> str:
    if amount is None:
        return ""
    return format_rupiah(amount, language())


def rp_signed(amount: int | None) -> str:
    """A difference: "+Rp5.000" over, "-Rp5.000" short."""
    if amount is None:
        return ""
    return ("+" if amount > 0 else "") + format_rupiah(amount, language())


def local_time(moment: datetime | None, zone: str | None = None, fmt: str = "medium") -> str:
    if moment is None:
        return ""
    tz = ZoneInfo(zone or user_zone())
    return format_datetime(moment.astimezone(tz).replace(tzinfo=None), fmt)


AUDIT_LABELS = {
    "created": _l("created the agreement"),
    "version": _l("set terms"),
    "issued": _l("issued the statement"),
    "signed_board": _l("signed for the cooperative"),
    "signed_investor": _l("signed for the investor"),
    "payment": _l("recorded a payment"),
    "dispute": _l("raised a dispute"),
    "dispute_resolved": _l("resolved a dispute"),
}


def audit_label(action: str) -> str:
    return str(AUDIT_LABELS.get(action, action))


def audit_detail(action: str, detail: str) -> str:
    """Structured details (new terms) read in the viewer's language; others as written."""
    if action != "version" or not detail.startswith("{"):
        return detail
    import json

    from pos.extensions import db
    from pos.models import Category

    data = json.loads(detail)
    names = dict(db.session.execute(db.select(Category.id, Category.name)).all())
    categories = [(names.get(int(k), k), v) for k, v in data.get("categories", {}).items()]
    return terms_text(
        date.fromisoformat(data["from"]), data["fee_bp"], categories, data["collector"], data["period"], data["staff"]
    )


def terms_text(
    since: date | None, fee_bp: int, categories: list[tuple[str, int]], collector: str, period: str, staff: int
) -> str:
    """Agreement terms in one line, in the viewer's language."""
    lang = language()
    parts = [f"{_l('from')} {format_date(since, 'medium')}"] if since else []
    parts.append(f"{_l('fee')} {format_percent(fee_bp, lang)}")
    parts += [f"{name} {format_percent(bp, lang)}" for name, bp in categories]
    parts.append(
        str(_l("collected by the cooperative") if collector == "cooperative" else _l("collected by the investor"))
    )
    settled = {
        "monthly": _l("settled monthly"),
        "fortnightly": _l("settled fortnightly"),
        "weekly": _l("settled weekly"),
    }
    parts.append(str(settled[period]))
    parts.append(ngettext("%(num)d staff member", "%(num)d staff", staff))
    return " · ".join(str(p) for p in parts)


def qty(steps: int, unit_code: str) -> str:
    return format_quantity(steps, unit(unit_code), "," if language() == "id" else ".")


def qty_unit(steps: int, unit_code: str) -> str:
    """A quantity with its unit: "1,234 kg", "12 pcs"."""
    return f"{qty(steps, unit_code)} {labels.unit_name(unit_code)}"


def line_value(quantity: int, product: Product) -> int:
    """Quantity in the unit's steps at the product's current price, rounded once."""
    return line_amount(max(quantity, 0), product.price, unit(product.unit).step_per_unit)


def _stale_minutes(app: Flask) -> int | None:
    """Minutes the oldest unsent event has waited, when that is longer than the outlet tolerates."""

    from pos.sync.status import oldest_waiting

    oldest = oldest_waiting()
    if oldest is None:
        return None
    waited = int((clock.now() - oldest).total_seconds() // 60)
    return waited if waited >= int(app.config.get("POS_SYNC_STALE_MINUTES", 60)) else None


def _badges(app: Flask) -> dict[str, int]:
    from datetime import timedelta

    from pos.home import work

    if current_user.role == R.CASHIER:
        return {}
    stale = timedelta(minutes=int(app.config.get("POS_SYNC_STALE_MINUTES", 60)))
    return {k: n for k, n in work.badges(current_user, clock.now(), stale).items() if n}


def compiled_templates(app: Flask) -> None:
    """Templates compiled once, kept in the instance folder: a node started again after a power cut draws the
    till's pages at once instead of compiling each on its first request (the register, the payment and the
    receipt pages took about a second together, and the first sale after a restart waited for it). A template
    whose source changed is compiled again (Jinja keys each by a checksum of its source)."""
    folder = Path(app.instance_path) / "compiled-templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only instance folder: compile in memory, as before
        return
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def register(app: Flask) -> None:
    compiled_templates(app)
    app.add_template_filter(rp, "rp")
    app.add_template_filter(rp_signed, "rp_signed")
    app.add_template_filter(local_time, "localtime")
    app.add_template_global(role_label, "role_label")
    app.add_template_global(actor, "actor")
    app.add_template_global(line_value, "line_value")
    app.add_template_filter(qty, "qty")
    app.add_template_filter(qty_unit, "qty_unit")
    app.add_template_filter(labels.unit_name, "unit_name")
    app.add_template_filter(labels.zone, "zone")
    app.add_template_global(labels.movement_kind, "kind_label")
    app.add_template_global(labels.document, "document_label")
    app.add_template_filter(lambda day: format_date(day, "medium") if day else "", "date_id")
    app.add_template_filter(lambda day: format_date(day, "MMMM y") if day else "", "month_id")
    app.add_template_global(audit_label, "audit_label")
    app.add_template_global(audit_detail, "audit_detail")
    app.add_template_filter(lambda bp: format_percent(bp, language()), "pct")

    @app.context_processor
    def navigation() -> dict[str, object]:
        from pos.web.htmx import wants_fragment

        if wants_fragment():  # a fragment has no menu; a whole page asked for by htmx gets an empty one
            return {"nav_items": [], "lang": language(), "Role": Role, "sync_warning": None, "nav_badges": {}}
        items = []
        sync_warning = None
        badges: dict[str, int] = {}
        if current_user.is_authenticated:
            for endpoint, label, roles in NAV:
                if current_user.role in roles and endpoint in app.view_functions:
                    items.append((endpoint, url_for(endpoint), label))
            if app.config.get("POS_ROLE") == "outlet" and current_user.role in (R.CASHIER, R.MANAGER):
                sync_warning = _stale_minutes(app)
            badges = _badges(app)
        return {
            "nav_items": items,
            "lang": language(),
            "Role": Role,
            "sync_warning": sync_warning,
            "nav_badges": badges,
        }
