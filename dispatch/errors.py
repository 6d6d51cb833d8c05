"""JSON errors: {"error": {"code", "message"}} with the right 4xx, never a 500 for bad input."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client caused or must know about, answered as JSON."""

    def __init__(self, http_status: int, code: str, message: str, /, **extra):
        super().__init__(message)
        self.http_status, self.code, self.message, self.extra = http_status, code, message, extra


def bad_request(message: str, code: str = "bad_request", **extra) -> ApiError:
    return ApiError(400, code, message, **extra)


def not_found(message: str = "not found") -> ApiError:
    return ApiError(404, "not_found", message)


def conflict(message: str, code: str = "conflict", **extra) -> ApiError:
    return ApiError(409, code, message, **extra)


def forbidden(message: str = "your role may not do this") -> ApiError:
    return ApiError(403, "forbidden", message)


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 429: "too_many_requests"}


def wants_html() -> bool:
    """True for browser page requests (not the JSON API)."""
    path = request.path
    if path.startswith(("/api/", "/open311/", "/healthz")):
        return False
    return "text/html" in request.headers.get("Accept", "")


def init_app(app: Flask) -> None:
    """Register the JSON error handlers."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error_body(exc.code, exc.message, **exc.extra)), exc.http_status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        handler = app.config.get("HTML_ERROR_HANDLER")
        if handler and wants_html():
            return handler(exc.code, exc.description)
        code = _HTTP_CODES.get(exc.code, "http_error")
        response = jsonify(error_body(code, exc.description or exc.name))
        allowed = getattr(exc, "valid_methods", None)
        if exc.code == 405 and allowed:  # RFC 9110: a 405 names the methods the resource has
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response, exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error_body("internal", "internal error; it has been logged")), 500
