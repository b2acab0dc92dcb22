"""The media proxy under test: an app whose image cache lives in the test's own folder,
optionally with other settings (guard on, short deadlines, proxy off)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hopper.settings import Settings
from models.db import Database
from web.media.signing import derive_key, media_path


@pytest.fixture
def make_app(settings: Settings, database: Database,
             tmp_path: Path) -> Iterator[Any]:
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        from web import create_app

        changed = dataclasses.replace(settings, instance_path=tmp_path, **overrides)
        app = create_app({"TESTING": True}, settings=changed)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["hopper_database"].dispose()


@pytest.fixture
def media_app(make_app: Any) -> Flask:
    """Private networks allowed (the run's settings): upstream servers are on loopback."""
    app: Flask = make_app()
    return app


def proxied_path(app: Flask, url: str) -> str:
    return media_path(derive_key(app.config["SECRET_KEY"]), url)


@pytest.fixture
def make(database: Database) -> Any:
    """The site area's factory for sections, sources and articles."""
    import itertools

    from tests.web.site.conftest import Factory

    return Factory(database, itertools.count(1))
