"""Shared pieces of the JSON API: the problem schema, the JSON guard, pagination."""

from __future__ import annotations

import marshmallow as ma
from flask import Flask, request
from flask_smorest import Api

from .errors import problem

BEARER = [{"bearerAuth": []}]


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem object with a stable machine-readable `code`."""

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String(metadata={"example": "Invalid input"})
    status = ma.fields.Integer(metadata={"example": 422})
    code = ma.fields.String(metadata={"example": "invalid"})
    detail = ma.fields.String()
    errors = ma.fields.Raw(metadata={"description": "Per-field messages, when any."})


class ExpoApi(Api):
    ERROR_SCHEMA = ProblemSchema


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


def page_meta(page: int, per_page: int, total: int) -> dict:
    return {"page": page, "per_page": per_page, "total": total,
            "pages": (total + per_page - 1) // per_page}


class PageMetaSchema(ma.Schema):
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()


# Endpoints that accept something other than JSON (e.g. file uploads) list themselves here.
NON_JSON_ENDPOINTS: set[str] = set()


def init_app(app: Flask, api: Api) -> None:
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "A personal or device token from your account page."})

    @app.before_request
    def json_bodies_only():
        if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
            return None
        if request.endpoint in NON_JSON_ENDPOINTS:
            return None
        if not request.content_length and not request.get_data(cache=True):
            return None
        if not request.is_json:
            return problem(400, "unsupported_content_type",
                           "Send the body as JSON with 'Content-Type: application/json'.")
        if request.get_json(silent=True) is None:
            return problem(400, "malformed_json", "The body is not valid JSON.")
        return None
