"""Brute force meets 429: per client IP and per account, counted in Redis."""

from __future__ import annotations

from tests.web.auth.fixtures import csrf_token_of
from web.auth import outbox

GOOD_PASSWORD = "an unusual passphrase for signing up"


def attempt(app, path: str, email: str, ip: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    token = csrf_token_of(client.get(path).get_data(as_text=True))
    return client.post(path, data={"email": email, "password": "wrong guess number",
                                   "csrf_token": token})


def test_guessing_one_accounts_password_from_many_addresses_is_stopped(app,
                                                                      make_account) -> None:
    make_account("ada@example.test")
    statuses = [attempt(app, "/login", "ADA@example.test ", f"10.0.0.{n}").status_code
                for n in range(1, 12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    refused = attempt(app, "/login", "ada@example.test", "10.0.0.99")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers


def test_one_address_guessing_many_accounts_is_stopped(app, database) -> None:
    statuses = [attempt(app, "/login", f"user{n}@example.test", "10.0.0.1").status_code
                for n in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    assert attempt(app, "/login", "someone@example.test", "10.0.0.2").status_code == 401


def sign_up(app, email: str, ip: str, password: str = GOOD_PASSWORD):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    token = csrf_token_of(client.get("/register").get_data(as_text=True))
    return client.post("/register", data={"email": email, "password": password,
                                          "password_again": password, "accept_terms": "y",
                                          "csrf_token": token})


def test_one_client_asking_resets_for_one_account_is_stopped(app, database) -> None:
    statuses = [attempt(app, "/password/forgot", "ada@example.test", "10.0.1.1").status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_strangers_cannot_use_up_an_owners_reset_or_sign_up_requests(app, database) -> None:
    for n in range(3):   # valid forms, the victim's address, three other clients
        assert attempt(app, "/password/forgot", "frank@example.test",
                       f"198.51.100.{n}").status_code == 200
        assert sign_up(app, "victim@example.test", f"198.51.100.{n}").status_code == 200
    assert attempt(app, "/password/forgot", "frank@example.test",
                   "203.0.113.9").status_code == 200
    assert sign_up(app, "victim@example.test", "203.0.113.9").status_code == 200


def test_sign_up_forms_that_fail_validation_do_not_count_against_the_address(app,
                                                                            database) -> None:
    for _ in range(4):
        assert sign_up(app, "victim@example.test", "10.0.3.1", password="x").status_code == 200
    signed_up = sign_up(app, "victim@example.test", "10.0.3.1")
    assert signed_up.status_code == 200 and "Check your inbox" in signed_up.get_data(True)


def test_a_crowd_of_clients_gets_only_three_reset_mails_an_hour_to_one_address(
        mailing_app, make_account, mailbox) -> None:
    make_account("frank@example.test")
    for n in range(5):
        assert attempt(mailing_app, "/password/forgot", "frank@example.test",
                       f"198.51.100.{n}").status_code == 200
    assert outbox.wait_until_sent(timeout_s=15)
    assert sum(message["To"] == "frank@example.test" for message in mailbox.messages) == 3


def test_registrations_are_limited_per_address(app, database) -> None:
    statuses = [attempt(app, "/register", f"u{n}@example.test", "10.0.2.1").status_code
                for n in range(11)]
    assert statuses[:10] == [200] * 10   # the form answers (with errors): counted all the same
    assert statuses[10] == 429


def test_the_limit_counts_in_redis(app, redis_client, database) -> None:
    attempt(app, "/login", "ada@example.test", "10.0.0.9")
    assert any(b"LIMITER" in key or b"limiter" in key for key in redis_client.scan_iter())
