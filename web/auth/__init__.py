"""Sign-in, registration, sign-out and password reset."""

from flask import Flask

from web.auth.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
