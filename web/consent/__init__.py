"""Cookie consent: the banner's form target and the visitor's choice."""

from flask import Flask

from web.consent.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
