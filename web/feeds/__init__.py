"""What Hopper publishes: RSS out, the sitemap and robots.txt."""

from flask import Flask

from web.feeds import sitemap  # noqa: F401 - its routes join the blueprint
from web.feeds.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
