"""`hopper users create EMAIL [--admin] [--password-stdin]` (docs/architecture.md, "Command line").

An operator creates accounts that are verified from the start: they vouch for the address.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from hopper.text import is_utf8
from models import users
from models.db import session_scope
from web.auth.forms import PLAUSIBLE_EMAIL
from web.auth.passwords import hash_password, password_problem
from web.cli.command_app import current_database


@click.group("users", help="Reader and admin accounts.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create a verified account (asks for the password).")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
@with_appcontext
def create_user(email: str, admin: bool, password_stdin: bool) -> None:
    email = users.normalise_email(email)
    if not PLAUSIBLE_EMAIL.match(email):
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    if password_stdin:
        password = _password_from_stdin()
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email=email)
    if problem:
        raise click.ClickException(problem)
    database = current_database()
    try:
        with session_scope(database) as session:
            user = users.create(session, email=email, password_hash=hash_password(password),
                                terms_version=None, is_admin=admin, is_verified=True)
            user_id = user.id
    except IntegrityError as error:
        raise click.ClickException(f"an account for {email} already exists") from error
    role = "admin" if admin else "reader"
    click.echo(f"created {role} {email} (id {user_id})")


def _password_from_stdin() -> str:
    """The first line of standard input. Bytes that are not UTF-8 fail to decode, or, on a
    stdin that escapes them, arrive as lone surrogates no hash takes: refused either way."""
    refusal = "the password on standard input is not valid UTF-8"
    try:
        password = sys.stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise click.ClickException(refusal) from error
    if not is_utf8(password):
        raise click.ClickException(refusal)
    return password
