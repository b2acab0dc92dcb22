"""What every Flask app of Hopper is built on, the site's (web/app.py) and the `hopper`
commands' (web/cli/command_app.py): the configuration and the database. The site adds
its Redis client and extensions (web/extensions.py); a command that needs Redis makes
its own (web/cli/ingest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from hopper.settings import Settings
from models.db import make_database

ROOT = Path(__file__).resolve().parent.parent


def create_base_app(settings: Settings, test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "web.app",   # the name Flask gives the logger and roots static/ at web/
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
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,   # a larger body: 413 before it is read
        MAX_FORM_MEMORY_SIZE=500_000,         # a larger multipart field: 413 (Flask default)
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["hopper_database"] = make_database(settings.database_url)
    return app
