"""The app `hopper` commands run in: the settings and the database, without the site."""

from __future__ import annotations

from flask import Flask, current_app

from hopper.settings import Settings, load_settings
from models.db import Database
from web.resources import create_base_app


def create_command_app() -> Flask:
    return create_base_app(load_settings())


def current_settings() -> Settings:
    value: Settings = current_app.config["HOPPER_SETTINGS"]
    return value


def current_database() -> Database:
    value: Database = current_app.extensions["hopper_database"]
    return value
