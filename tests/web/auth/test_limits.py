"""Brute force meets 429: per client IP and per account, counted in Redis."""

from __future__ import annotations

from tests.web.auth.fixtures import csrf_token_of


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


def test_reset_requests_are_limited_per_account(app, database) -> None:
    statuses = [attempt(app, "/password/forgot", "ada@example.test", f"10.0.1.{n}").status_code
                for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_registrations_are_limited_per_address(app, database) -> None:
    statuses = [attempt(app, "/register", f"u{n}@example.test", "10.0.2.1").status_code
                for n in range(11)]
    assert statuses[:10] == [200] * 10   # the form answers (with errors): counted all the same
    assert statuses[10] == 429


def test_the_limit_counts_in_redis(app, redis_client, database) -> None:
    attempt(app, "/login", "ada@example.test", "10.0.0.9")
    assert any(b"LIMITER" in key or b"limiter" in key for key in redis_client.scan_iter())
