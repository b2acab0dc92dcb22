"""The app `hopper` commands run in: the settings, the database and a Redis, without the
site."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from flask import Flask, current_app

from hopper.settings import Settings, load_settings
from models.db import Database
from web.resources import create_base_app

if TYPE_CHECKING:
    import redis


def create_command_app() -> Flask:
    return create_base_app(load_settings())


def current_settings() -> Settings:
    value: Settings = current_app.config["HOPPER_SETTINGS"]
    return value


def current_database() -> Database:
    value: Database = current_app.extensions["hopper_database"]
    return value


@contextmanager
def command_redis(settings: Settings) -> Iterator[redis.Redis]:
    """A Redis for locks; the embedded one is started for the command's lifetime when
    REDIS_URL is unset and nothing answers yet (and stopped only if started here).
    Imported here: commands that need no Redis (`hopper sources list`) start without it."""
    from hopper.embedded_redis import embedded_redis_for
    from hopper.redis_client import COMMAND, connect

    embedded = embedded_redis_for(settings)
    if embedded is not None:
        embedded.start()               # returns at once if one already answers
    client = connect(settings.redis_url, COMMAND)
    try:
        yield client
    finally:
        client.close()
        if embedded is not None:
            embedded.stop()            # a no-op unless this command started it
