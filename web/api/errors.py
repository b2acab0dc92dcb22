"""API errors are JSON: {"error": {"code": "...", "message": "..."}} with the HTTP status
that fits (400 bad parameter, 404, 405, 429, 500)."""

from __future__ import annotations

import re

from flask import Response, jsonify
from werkzeug.exceptions import BadRequest, HTTPException

# Headers of the original error worth keeping (RFC 9110 §10.2.1 Allow on 405,
# RFC 6585 §4 Retry-After on 429).
KEPT_HEADERS = ("Allow", "Retry-After")


class BadParameter(BadRequest):
    """A query parameter the API cannot use; names the parameter."""

    code_name = "bad_parameter"

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"parameter {name!r} must be {expected}")


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def http_error_response(error: HTTPException) -> Response:
    code = getattr(error, "code_name", None) or _snake(error.name)
    response = error_response(error.code or 500, code, error.description or error.name)
    original = error.get_response()
    for header in KEPT_HEADERS:
        if header in original.headers:
            response.headers[header] = original.headers[header]
    return response


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
