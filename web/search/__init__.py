"""Search: the results page and the live-search JSON endpoint."""

from flask import Flask

from web.search.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
