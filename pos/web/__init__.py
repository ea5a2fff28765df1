"""Wiring of the web layer: access control, errors, templates helpers, blueprints."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from pos.auth.views import bp as auth_bp
    from pos.cashier.views import bp as cashier_bp
    from pos.home.views import bp as home_bp
    from pos.members.shu_views import bp as shu_bp
    from pos.members.views import bp as members_bp
    from pos.onboarding.views import bp as onboarding_bp
    from pos.partnership.views import bp as partnership_bp
    from pos.receipts.views import bp as receipts_bp
    from pos.reports.views import bp as reports_bp
    from pos.staff.views import bp as staff_bp
    from pos.stock.views import bp as stock_bp
    from pos.sync.views import bp as sync_bp
    from pos.web import access, errors, static, templating, transaction

    transaction.register(app)
    access.register(app)
    errors.register(app)
    templating.register(app)
    static.register(app)
    app.after_request(static.immutable)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(cashier_bp)
    app.register_blueprint(partnership_bp)
    app.register_blueprint(stock_bp)
    app.register_blueprint(sync_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(shu_bp)
    if app.config.get("POS_ROLE") != "outlet":  # central is the system of record for organisations and logins
        app.register_blueprint(onboarding_bp)
