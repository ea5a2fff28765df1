"""The sync API on central: outlets push events and pull changes with their own bearer token."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import orjson
from flask import Response, jsonify, request

from pos.core import clock
from pos.domain.sync import MAX_BATCH
from pos.extensions import csrf, db
from pos.models import Outlet, OutletToken
from pos.sync import changes, tokens
from pos.sync.openapi import document
from pos.sync.views import bp
from pos.web import transaction
from pos.web.access import public, token_auth

if TYPE_CHECKING:
    from pos.sync.ingest import Outcome

MAX_BODY = 16 * 1024 * 1024


def _error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify(error=code, message=message), status


def _outlet() -> Outlet | tuple[Response, int]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _error(401, "unauthorized", "send the outlet's token as 'Authorization: Bearer …'")
    outlet = tokens.outlet_for(header[7:].strip())
    if outlet is None:
        return _error(401, "unauthorized", "unknown or revoked token")
    db.session.execute(
        db.update(OutletToken)
        .where(OutletToken.outlet_id == outlet.id, OutletToken.revoked_at.is_(None))
        .values(last_used_at=clock.now())
    )
    return outlet


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _json_body() -> Any:
    """The pushed JSON, read by orjson (several times faster on big batches) or, for what orjson refuses
    but JSON allows (integers beyond 64 bits), by the standard parser; None if it is not JSON."""
    if not request.is_json:
        return None
    data = request.get_data(cache=False)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            return json.loads(data, parse_constant=_not_a_number)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than any event is
            return None


@bp.before_request
def _limits() -> None:
    if request.path.startswith("/api/"):
        request.max_content_length = MAX_BODY


@bp.route("/api/v1/sync/push", methods=["POST"])
@token_auth
@csrf.exempt
def push() -> Any:
    outlet = _outlet()
    if not isinstance(outlet, Outlet):
        return outlet
    body = _json_body()
    if body is None:
        return _error(400, "malformed_json", "the body must be JSON")
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        return _error(422, "malformed", 'send {"outlet": code, "events": [...]}')
    if "outlet" in body and body["outlet"] != outlet.code:
        return _error(403, "wrong_outlet", "this token cannot push events for another outlet")
    events = body["events"]
    if len(events) > MAX_BATCH:
        return _error(413, "batch_too_large", f"send at most {MAX_BATCH} events at once")
    outlet_id = outlet.id
    from pos.sync import ingest  # central's ingest (and psycopg): loaded by the first push, never on a node

    def store() -> list[Outcome]:
        # After a lost race (another push of the same events committed first) it runs again to acknowledge them.
        return ingest.ingest(db.session.get_one(Outlet, outlet_id), events)

    try:
        outcomes = transaction.retrying(store)
    except transaction.Busy:
        return _error(503, "busy", "try again")
    return Response(orjson.dumps(ingest.as_response(outcomes)), mimetype="application/json")


_WHOLE = re.compile(r"[0-9]{1,18}")


@bp.route("/api/v1/sync/pull")
@token_auth
def pull() -> Any:
    outlet = _outlet()
    if not isinstance(outlet, Outlet):
        return outlet
    unknown = set(request.args) - {"cursor", "limit"}
    if unknown:
        name = sorted(unknown)[0][:40]
        return _error(400, "bad_parameter", f"unknown query parameter {name!r}: send cursor and limit")
    raw_cursor = request.args.get("cursor", "0")
    raw_limit = request.args.get("limit", str(changes.PAGE))
    if not _WHOLE.fullmatch(raw_cursor) or not _WHOLE.fullmatch(raw_limit):
        return _error(400, "bad_cursor", "cursor and limit must be whole numbers (0 or more; limit 1 to 1000)")
    limit = int(raw_limit)
    if not 1 <= limit <= 1000:
        return _error(400, "bad_limit", "limit must be from 1 to 1000")
    page = changes.page_for(outlet, int(raw_cursor), limit)
    state_cursor = page["cursor"]
    from pos.models import OutletSyncState

    state = db.session.get(OutletSyncState, outlet.id) or OutletSyncState(outlet_id=outlet.id)
    state.pull_cursor = state_cursor
    state.last_seen_at = clock.now()
    db.session.add(state)
    return jsonify(page)


@bp.route("/api/v1/sync/standing")
@token_auth
def standing() -> Any:
    """How far central got with the outlet: asked by a node restored from a backup before it sells again."""
    outlet = _outlet()
    if not isinstance(outlet, Outlet):
        return outlet
    if request.args:
        name = sorted(request.args)[0][:40]
        return _error(400, "bad_parameter", f"unknown query parameter {name!r}: this call takes none")
    from pos.sync import standing as standing_of

    return jsonify(standing_of.standing(outlet))


@bp.route("/api/v1/openapi.json")
@public
def openapi() -> Any:
    return jsonify(document())
