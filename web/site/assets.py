"""Fingerprinted static files: `static_url('css/site.css')` → `/static/css/site.css?v=<hash>`.

A versioned URL changes whenever the file does, so it may be cached for a year and marked
immutable; unversioned requests keep Flask's short default.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

LONG_LIVED = "public, max-age=31536000, immutable"


@cache
def _fingerprint(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def fingerprint(static_folder: str, filename: str) -> str:
    path = Path(static_folder) / filename
    return _fingerprint(path, path.stat().st_mtime_ns)


def static_url(filename: str) -> str:
    """`url_for('static', …)` with the file's fingerprint (a template global)."""
    version = fingerprint(current_app.static_folder or "", filename)
    return url_for("static", filename=filename, v=version)


def init_app(app: Flask) -> None:
    @app.after_request
    def cache_versioned_static(response: Response) -> Response:
        if request.endpoint == "static" and "v" in request.args and response.status_code == 200:
            response.headers["Cache-Control"] = LONG_LIVED
        return response
