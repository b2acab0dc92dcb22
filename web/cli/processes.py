"""`hopper up`: every process of a deployment, for one machine (hopper/supervisor.py)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from web.cli.command_app import current_settings


@click.command("up", help="Run web + worker + beat from the Procfile "
                          "(and the embedded Redis when REDIS_URL is unset).")
@click.option("--procfile", default="Procfile", show_default=True)
@with_appcontext
def up(procfile: str) -> None:
    from hopper.supervisor import run_procfile

    raise SystemExit(run_procfile(current_settings(), procfile))
