"""`hopper up`: every process of a deployment, for one machine (hopper/supervisor.py).

It first brings the schema to the newest revision, as `hopper db upgrade` does: it is the
single-machine runner, so no other machine runs older code against the database, and a
fresh instance must not start a beat whose every tick fails on a missing table. An
unreachable database stops it there, with one line, before any process starts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from web.cli.command_app import current_settings
from web.cli.database import migrate_schema


@click.command("up", help="Upgrade the schema (as `hopper db upgrade`), then run "
                          "web + worker + beat from the Procfile "
                          "(and the embedded Redis when REDIS_URL is unset).")
@click.option("--procfile", default="Procfile", show_default=True)
@click.option("--no-upgrade", "skip_upgrade", is_flag=True,
              help="Start the processes on the schema as it is.")
@with_appcontext
def up(procfile: str, skip_upgrade: bool) -> None:
    from hopper.supervisor import ProcfileError, read_procfile, run_procfile

    try:
        entries = read_procfile(procfile)
    except ProcfileError as error:
        raise click.ClickException(str(error)) from error
    if not skip_upgrade:
        migrate_schema("upgrade", "heads")
    raise SystemExit(run_procfile(current_settings(), entries))
