"""Domain errors and their translation to HTTP: an HTML page or a JSON problem."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no. `code` is stable and machine-readable; `message` is for people."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: object = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class Invalid(DomainError):
    status = 422
    code = "invalid"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Unavailable",
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes[
        "text/html"]


def problem(status: int, code: str, detail: str, **extra):
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "code": code, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _page(status: int, detail: str):
    return render_template("errors/error.html", status=status,
                           title=TITLES.get(status, "Error"), detail=detail), status


def register_errorhandlers(app: Flask) -> None:
    from .extensions import db

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            return problem(error.status, error.code, error.message, errors=error.details)
        return _page(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            db.session.rollback()
        detail = error.description or TITLES.get(status, "Error")
        if wants_json():
            # flask-smorest/webargs put field errors in error.data["messages"]
            data = getattr(error, "data", None) or {}
            messages = data.get("messages") if isinstance(data, dict) else None
            code = HTTP_CODES.get(status, "error")
            if status == 422 and messages:
                return problem(status, "invalid", "The request has invalid fields.",
                               errors=messages.get("json", messages))
            response = problem(status, code, detail)
            if status == 429 and error.get_headers():
                for name, value in error.get_headers():
                    if name.lower() != "content-type":
                        response.headers[name] = value
            return response
        return _page(status, detail)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS") and app.testing:
            raise error
        if wants_json():
            return problem(500, "server_error", "An unexpected error happened; it was logged.")
        return _page(500, "An unexpected error happened; it was logged.")
