"""`hopper`: the Flask CLI with the app preset (docs/architecture.md, "Command line").

Hopper's own commands (db, up, sources, ingest, stories, users) are imported only when they run,
and run in the command app (`web.cli.command_app`: settings and database, no site):
a command pays neither for the blueprints nor for the commands it is not. Flask's own
commands (routes, shell, run) and plugins' build the whole site, as before.
"""

from __future__ import annotations

import importlib
import os

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

from hopper.text import is_utf8

# name → (module, attribute): imported on first use.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("web.cli.database", "db_group"),
    "up": ("web.cli.processes", "up"),
    "sources": ("web.cli.sources", "sources_group"),
    "ingest": ("web.cli.ingest", "ingest_command"),
    "stories": ("web.cli.stories", "stories_group"),
    "users": ("web.cli.users", "users_group"),
}


class HopperGroup(FlaskGroup):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Bytes that are not UTF-8 reach Python as lone surrogates, which no database,
        # hash or terminal takes: say so here rather than fail deep inside a command.
        for arg in args:
            if not is_utf8(arg):
                raise click.UsageError(f"an argument is not valid UTF-8: {os.fsencode(arg)!r}",
                                       ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        info = ctx.ensure_object(ScriptInfo)
        if name in COMMANDS and info.create_app is _create_site:
            info.create_app = _create_command_app
        return name, command, rest


def hopper_cli() -> HopperGroup:
    group = HopperGroup(name="hopper", create_app=_create_site, add_default_commands=True,
                        add_version_option=False,
                        help="Hopper: a self-hosted news aggregation website.")
    # Hopper's version, not Flask's (FlaskGroup's own --version).
    click.version_option(package_name="hopper", prog_name="hopper")(group)
    return group


def main() -> None:
    try:
        hopper_cli().main(prog_name="hopper")
    except Exception as error:
        from web.cli.errors import explain

        message = explain(error)
        if message is None:
            raise
        click.echo(f"Error: {message}", err=True)
        raise SystemExit(1) from None


def _create_site() -> Flask:
    from web.app import create_app

    return create_app()


def _create_command_app() -> Flask:
    from web.cli.command_app import create_command_app

    return create_command_app()
