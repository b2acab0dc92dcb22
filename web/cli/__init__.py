"""`hopper`: the Flask CLI with the app preset (DESIGN.md, "Command line")."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from hopper.settings import Settings
from models import migrate


def main() -> None:
    cli = FlaskGroup(name="hopper", create_app=_create_app, add_default_commands=True,
                     help="Hopper: a self-hosted news aggregation website.")
    cli.main(prog_name="hopper")


def _create_app() -> Flask:
    from web.app import create_app

    return create_app()


def _settings() -> Settings:
    value: Settings = current_app.config["HOPPER_SETTINGS"]
    return value


@click.group("db", help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Create or migrate the schema to the newest revision.")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    url = _settings().database_url
    migrate.upgrade(url, revision)
    click.echo(f"database at {_settings().describe()['database_url']} is at {revision}")


@db_group.command("downgrade", help="Step the schema back to REVISION (e.g. -1 or base).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    migrate.downgrade(_settings().database_url, revision)


@click.command("up", help="Run web + worker + beat from the Procfile "
                          "(and the embedded Redis when REDIS_URL is unset).")
@click.option("--procfile", default="Procfile", show_default=True)
def up(procfile: str) -> None:
    from hopper.supervisor import run_procfile

    raise SystemExit(run_procfile(_settings(), procfile))


def init_app(app: Flask) -> None:
    from web.cli.ingest import ingest_command
    from web.cli.sources import sources_group
    from web.cli.stories import stories_group
    from web.cli.users import users_group

    app.cli.add_command(db_group)
    app.cli.add_command(up)
    app.cli.add_command(sources_group)
    app.cli.add_command(ingest_command)
    app.cli.add_command(stories_group)
    app.cli.add_command(users_group)
