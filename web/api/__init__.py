"""JSON API v1 (read-only)."""

from flask import Flask

from web.api.views import bp, route_errors_as_json
from web.extensions import csrf


def init_app(app: Flask) -> None:
    csrf.exempt(bp)   # read-only GETs; nothing to forge
    app.register_blueprint(bp)
    app.before_request(route_errors_as_json)
