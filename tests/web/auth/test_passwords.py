"""Password hashing parameters, rehashing on sign-in, and the password policy."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from models.db import session_scope
from models.users import User
from tests.web.auth.fixtures import PASSWORD, csrf_token_of
from web.auth.passwords import common_passwords, hash_password, password_problem


def test_hashes_are_argon2id_at_owasp_minimum_or_stronger() -> None:
    encoded = hash_password("a long unusual passphrase")
    assert encoded.startswith("$argon2id$")
    params = dict(pair.split("=") for pair in encoded.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024
    assert int(params["t"]) >= 2
    assert int(params["p"]) >= 1


def test_sign_in_rehashes_a_password_stored_with_weaker_parameters(client, make_user,
                                                                     database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    user = make_user("ada@example.test", password_hash=weak.hash(PASSWORD))
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "ada@example.test", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    with session_scope(database) as session:
        stored = session.get(User, user.id).password_hash
    assert "m=19456,t=2,p=1" in stored
    assert PasswordHasher().verify(stored, PASSWORD)


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop", "1q2w3e4r5t", "Iloveyou12"])
def test_common_passwords_are_refused(password: str) -> None:
    assert password.lower() in common_passwords()
    assert password_problem(password) is not None


def test_the_common_password_list_holds_thousands() -> None:
    assert len(common_passwords()) > 10_000


@pytest.mark.parametrize("password", [" " * 12, "aaaaaaaaaaaa", "abababababab", "  xyxyxyxyxy  "])
def test_repeated_characters_and_blanks_are_refused(password: str) -> None:
    assert "repeated" in (password_problem(password) or "")


def test_short_passwords_are_refused_and_long_unusual_ones_accepted() -> None:
    assert password_problem("Tr0ub4dor") is not None
    assert password_problem("correct horse battery staple") is None


def test_a_password_containing_the_email_name_is_refused() -> None:
    assert password_problem("margaret-hamilton-1936", email="hamilton@example.test")
