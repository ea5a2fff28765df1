"""The sync API described as OpenAPI 3.1: what the views really accept and answer."""

from __future__ import annotations

from typing import Any

from pos.domain.sync import EVENT_TYPES, MAX_BATCH, SCHEMA_VERSION
from pos.sync.codecs import CODECS
from pos.sync.events import PAYLOADS, schema_name

# Every code a result can carry: the envelope's, the event log's, and each check central makes.
RESULT_CODES = frozenset(
    {
        "malformed",
        "unknown_type",
        "unsupported_version",
        "changed_body",
        "seq_reused",
        "invalid_text",
        "database_refused",
        "record_exists",
        "unknown_reference",
        "foreign_reference",
        "agreement_not_in_force",
        "wrong_investor",
        "wrong_rate",
        "wrong_amount",
        "wrong_split",
        "over_refund",
        "wrong_stock",
        "invalid",
    }
)


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KMP POS sync API",
            "version": "1",
            "description": (
                "Outlets push their events to central and pull central's changes. Each outlet authenticates "
                "with its own bearer token (issued once by an administrator, stored hashed, rotatable and "
                "revocable). Events are stored once by id: a repeat is acknowledged as a duplicate, the same "
                "id with another body is a conflict and is recorded, never overwritten."
            ),
        },
        "components": {
            "securitySchemes": {"outletToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {"type": "string", "description": "a stable code, e.g. unauthorized"},
                        "message": {"type": "string"},
                        "detail": {"type": "string"},
                        "status": {"type": "integer"},
                    },
                },
                "Event": {
                    "type": "object",
                    "required": ["id", "seq", "type", "schema_version", "payload"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid", "description": "born at the outlet"},
                        "seq": {"type": "integer", "minimum": 1, "description": "per-outlet sequence number"},
                        "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
                        "schema_version": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
                        "payload": {
                            "type": "object",
                            "description": "shaped as the schema named for its type: sale.completed → "
                            "SaleCompletedPayload, and so on",
                        },
                    },
                },
                **{schema_name(kind): PAYLOADS[kind] for kind in sorted(PAYLOADS)},
                "PushRequest": {
                    "type": "object",
                    "required": ["events"],
                    "properties": {
                        "outlet": {"type": "string", "description": "the outlet's code; must be the token's outlet"},
                        "events": {
                            "type": "array",
                            "maxItems": MAX_BATCH,
                            "items": {},
                            "description": "events shaped as Event; each is checked on its own and answered in "
                            "results (anything else is rejected as malformed): one bad event never refuses the batch",
                        },
                    },
                },
                "Result": {
                    "type": "object",
                    "required": ["id", "seq", "status"],
                    "properties": {
                        "id": {"type": ["string", "null"]},
                        "seq": {"type": ["integer", "null"]},
                        "status": {"type": "string", "enum": ["accepted", "duplicate", "conflict", "rejected"]},
                        "code": {"type": "string", "enum": sorted(RESULT_CODES)},
                        "message": {"type": "string"},
                    },
                },
                "PushResponse": {
                    "type": "object",
                    "required": ["results", "ack"],
                    "properties": {
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                        "ack": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "ids now stored on central (accepted or duplicate): mark exactly these sent",
                        },
                        "accepted": {"type": "integer"},
                        "duplicates": {"type": "integer"},
                        "conflicts": {"type": "integer"},
                        "rejected": {"type": "integer"},
                    },
                },
                "Change": {
                    "type": "object",
                    "required": ["change", "entity", "uuid", "data"],
                    "properties": {
                        "change": {"type": "integer"},
                        "entity": {"type": "string", "enum": list(CODECS)},
                        "uuid": {"type": "string", "format": "uuid"},
                        "data": {"type": "object", "description": "the record as it is now on central"},
                    },
                },
                "PullResponse": {
                    "type": "object",
                    "required": ["cursor", "more", "reset", "changes"],
                    "properties": {
                        "cursor": {"type": "integer", "description": "store it with the applied changes, send it next"},
                        "more": {"type": "boolean"},
                        "reset": {
                            "type": "boolean",
                            "description": "the cursor was unknown: everything in scope is resent",
                        },
                        "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                    },
                },
                "Standing": {
                    "type": "object",
                    "required": ["outlet", "max_seq", "receipts"],
                    "properties": {
                        "outlet": {"type": "string"},
                        "max_seq": {"type": "integer", "minimum": 0, "description": "continue after this number"},
                        "receipts": {
                            "type": "object",
                            "description": "the last receipt number central holds on each recent business day",
                            "additionalProperties": {"type": "integer", "minimum": 1},
                        },
                    },
                },
            },
        },
        "security": [{"outletToken": []}],
        "paths": {
            "/api/v1/sync/push": {
                "post": {
                    "summary": "Push a batch of outlet events",
                    "operationId": "pushEvents",
                    "description": (
                        "Each event gets its own result; a refused event does not stop the others and writes "
                        "nothing. Retry the whole batch after any transport error: it is safe."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "per-event results",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushResponse"}}},
                            "links": {
                                "RetryTheBatch": {
                                    "operationId": "pushEvents",
                                    "requestBody": "$request.body",
                                    "description": "the same batch again (a retry): each event gets the same answer",
                                }
                            },
                        },
                        "400": _error("the body is not JSON (malformed_json)"),
                        "401": _error("missing, unknown or revoked token (unauthorized)"),
                        "403": _error("the body names another outlet (wrong_outlet)"),
                        "413": _error(f"more than {MAX_BATCH} events (batch_too_large) or a body over 16 MB"),
                        "422": _error("the body is not {outlet, events[]} (malformed)"),
                        "503": _error("central is busy; retry with backoff (busy)"),
                    },
                }
            },
            "/api/v1/sync/pull": {
                "get": {
                    "summary": "Pull central's changes in the outlet's scope after a cursor",
                    "operationId": "pullChanges",
                    "parameters": [
                        {
                            "name": "cursor",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1, "default": 0},
                        },
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    ],
                    "responses": {
                        "200": {
                            "description": "a page of changes",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PullResponse"}}},
                            "links": {
                                "NextPage": {
                                    "operationId": "pullChanges",
                                    "parameters": {"cursor": "$response.body#/cursor"},
                                    "description": "the changes after this page",
                                }
                            },
                        },
                        "400": _error(
                            "not whole numbers (bad_cursor), limit not 1–1000 (bad_limit), other (bad_parameter)"
                        ),
                        "401": _error("missing, unknown or revoked token (unauthorized)"),
                    },
                }
            },
            "/api/v1/sync/standing": {
                "get": {
                    "summary": "How far central got with the outlet (asked by a node restored from a backup)",
                    "operationId": "standing",
                    "responses": {
                        "200": {
                            "description": "the outlet's highest event sequence number and recent receipt numbers",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Standing"}}},
                        },
                        "400": _error("a query parameter (bad_parameter): this call takes none"),
                        "401": _error("missing, unknown or revoked token (unauthorized)"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                }
            },
        },
    }
