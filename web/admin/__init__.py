"""Administration, for admins only."""

from flask import Flask

from web.admin.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
