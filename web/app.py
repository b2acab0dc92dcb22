"""The application factory: the site, on the base every Hopper app shares."""

from __future__ import annotations

from typing import Any

from flask import Flask

from hopper.settings import Settings, load_settings
from web import extensions, security, templating
from web.resources import create_base_app


def create_app(test_config: dict[str, Any] | None = None,
               settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = create_base_app(settings, test_config)
    extensions.init_app(app, settings)
    security.init_app(app)

    from web import account, admin, api, auth, community, consent, feeds, media, ops, search, site

    for area in (site, search, auth, account, consent, community, admin, api, feeds, ops,
                 media):
        area.init_app(app)
    templating.init_app(app)   # last: it names helpers the areas set up
    return app
