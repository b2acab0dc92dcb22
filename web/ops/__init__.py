"""Operations endpoints: /healthz and /metrics, and the request metrics behind them."""

from flask import Flask

from web import metrics
from web.ops.views import bp


def init_app(app: Flask) -> None:
    metrics.init_app(app)
    app.register_blueprint(bp)
