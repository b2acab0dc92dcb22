"""Fixtures for push: the site with WebSub on (its base URL is loopback, so the test
turns it on explicitly, as HOPPER_WEBSUB=1 does), a fake hub, and the sweep's settings
pointing callbacks at the running site."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from hopper.settings import Settings
from models.db import Database
from tests.web.websub.fake_hub import FakeHub


def with_push(settings: Settings, *, is_enabled: bool = True) -> Settings:
    return replace(settings, websub=replace(settings.websub, is_enabled=is_enabled))


@pytest.fixture
def app(settings: Settings, database: Database) -> Iterator[Any]:
    from web import create_app

    app = create_app({"TESTING": True}, settings=with_push(settings))
    yield app
    app.extensions["hopper_database"].dispose()


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as running:
        yield running


@pytest.fixture
def push_settings(settings: Settings, live_server: str) -> Settings:
    """What a worker of a site at `live_server` runs with, push on."""
    return replace(with_push(settings), base_url=live_server)
