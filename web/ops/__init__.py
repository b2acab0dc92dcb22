"""Operations endpoints: /healthz and /metrics."""

from flask import Flask

from web.ops.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
