"""The signed-in reader's account page."""

from flask import Flask

from web.account.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
