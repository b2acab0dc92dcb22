"""`hopper users create`: verified accounts made by the operator."""

from __future__ import annotations

from models.db import session_scope
from models.users import by_email
from web.auth.passwords import verify_password
from web.cli.users import users_group

PASSWORD = "an operator's long passphrase"


def test_create_an_admin_reading_the_password_from_stdin(runner, database) -> None:
    result = runner.invoke(users_group, ["create", "Admin@Example.test", "--admin",
                                         "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "created admin admin@example.test" in result.output
    with session_scope(database) as session:
        user = by_email(session, "admin@example.test")
        assert user.is_admin and user.is_verified
        assert verify_password(user.password_hash, PASSWORD)


def test_create_asks_for_the_password_twice(runner, database) -> None:
    result = runner.invoke(users_group, ["create", "reader@example.test"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output   # hidden input
    with session_scope(database) as session:
        assert not by_email(session, "reader@example.test").is_admin


def test_create_refuses_a_common_password_and_a_duplicate(runner, database) -> None:
    weak = runner.invoke(users_group, ["create", "a@example.test", "--password-stdin"],
                         input="password1234\n")
    assert weak.exit_code != 0 and "common" in weak.output
    runner.invoke(users_group, ["create", "a@example.test", "--password-stdin"],
                  input=PASSWORD + "\n")
    again = runner.invoke(users_group, ["create", "a@example.test", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_the_hopper_cli_lists_the_users_group(runner) -> None:
    assert "users" in runner.invoke(args=["--help"]).output
