"""The magazine: home, sections, tags, sources, articles, video and the static pages."""

from flask import Flask

from models import sections
from web.extensions import db_session
from web.site.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def navigation() -> dict[str, object]:
        return {"navigation_sections": lambda: sections.navigation(db_session())}
