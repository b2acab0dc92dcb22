"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from hopper.settings import Settings, load_settings
from web import extensions, security
from web.params import BoundedIntegerConverter
from web.proxy import TrustedProxies

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None,
               settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(settings.instance_path),
    )
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        HOPPER_SETTINGS=settings,
        SITE_NAME=settings.site_name,
        BASE_URL=settings.base_url,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.base_url.startswith("https://"),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config:
        app.config.from_mapping(test_config)
    # Before any route is added: every `<int:…>` id must fit a database integer.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        app.wsgi_app, trusted=settings.forwarded_allow_ips, hops=settings.proxy_hops,
        script_name=settings.script_name)

    extensions.init_app(app, settings)
    security.init_app(app)

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

    from web import cli

    cli.init_app(app)
    return app
