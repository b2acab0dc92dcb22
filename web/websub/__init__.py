"""WebSub callbacks (W3C WebSub): `/websub/<token>` answers a hub's verification (GET)
and takes its deliveries (POST). Hubs do not carry CSRF tokens: a delivery is proven by
its HMAC signature instead."""

from flask import Flask

from web.extensions import csrf
from web.websub.views import bp


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
