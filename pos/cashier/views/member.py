"""The member buying: a card scanned into the scanner box (``register.scan``), or found here by number, name or
phone; shown on the cart, the receipt and the customer's copy. Prices and the split do not change."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from pos.cashier import cart as cart_service
from pos.cashier.views import bp
from pos.cashier.views.common import STAFF, dialog, require_shift, till_cart
from pos.cashier.views.register import cart_page
from pos.extensions import db
from pos.members import register as members
from pos.models import Member
from pos.web.access import allow, one_by_uuid
from pos.web.forms import url_args
from pos.web.htmx import render, wants_fragment


@bp.route("/member")
@allow(*STAFF)
def member_dialog() -> ResponseReturnValue:
    shift = require_shift()
    text = (url_args().text("q") or "").strip()[:40]
    found = members.at_till(shift.outlet.cooperative_id, text) if text else []
    if text and wants_fragment() and url_args().flag("only"):
        return render("cashier/member.html", "found", found=found, q=text)
    return dialog("cashier/member.html", found=found, q=text)


@bp.route("/member/<cooperative_member_uuid>", methods=["POST"])
@allow(*STAFF)
def member_attach(cooperative_member_uuid: str) -> ResponseReturnValue:
    shift = require_shift()
    query = db.select(Member).where(Member.cooperative_id == shift.outlet.cooperative_id)
    member = members.usable(one_by_uuid(query, Member, cooperative_member_uuid))
    cart_service.set_member(till_cart(shift), member)
    return cart_page(close_dialog=True)


@bp.route("/member/remove", methods=["POST"])
@allow(*STAFF)
def member_remove() -> ResponseReturnValue:
    shift = require_shift()
    cart_service.set_member(till_cart(shift), None)
    return cart_page()
