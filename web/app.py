"""The application factory: the site, on the base every Hopper app shares."""

from __future__ import annotations

from typing import Any

from flask import Flask

from hopper.settings import Settings, load_settings
from web import extensions, security, templating
from web.params import BoundedIntegerConverter, refuse_nul_characters
from web.proxy import TrustedProxies
from web.resources import create_base_app


def create_app(test_config: dict[str, Any] | None = None,
               settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = create_base_app(settings, test_config)
    # Before any route is added: every `<int:…>` id must fit a database integer.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        app.wsgi_app, trusted=settings.forwarded_allow_ips, hops=settings.proxy_hops,
        script_name=settings.script_name)
    extensions.init_app(app, settings)
    security.init_app(app)
    app.before_request(refuse_nul_characters)   # before any area's hooks and views

    from web import (
        account,
        admin,
        api,
        auth,
        community,
        consent,
        feeds,
        media,
        ops,
        search,
        site,
        websub,
    )

    for area in (site, search, auth, account, consent, community, admin, api, feeds, ops,
                 media, websub):
        area.init_app(app)
    templating.init_app(app)   # last: it names helpers the areas set up
    return app
