"""Administration, for admins only: sources, sections, users, moderation, consent."""

from flask import Flask

from web.admin import consent, moderation, sections, sources, users  # noqa: F401 (routes)
from web.admin.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
