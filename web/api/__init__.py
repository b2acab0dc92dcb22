"""JSON API v1 (read-only)."""

from flask import Flask

from web.api.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
