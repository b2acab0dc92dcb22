"""The device cookie's own sign-in budget lasts only as long as the password it was
earned with: a reset, a change or a deleted account sends older cookies back to the
shared budget, while the owner's browsers keep theirs across an ordinary sign-out and a
move to a new address."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.web.auth.fixtures import PASSWORD, csrf_token_of

NEW_PASSWORD = "a brand new unusual passphrase"


def sign_in(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})


def from_address(app, ip: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def spend_the_shared_budget(app, email: str) -> None:  # type: ignore[no-untyped-def]
    """Junk guesses from strangers until the account's shared budget answers 429."""
    statuses = [sign_in(from_address(app, f"198.51.100.{n}"), email, "junk guess").status_code
                for n in range(11)]
    assert statuses[-1] == 429


def account_form(client, path: str, prefix: str, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_token_of(client.get("/account").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token,
                                   **{f"{prefix}-{name}": value for name, value in fields.items()}})


def test_a_device_cookie_from_before_a_password_change_no_longer_has_its_own_budget(
        app, make_account) -> None:
    make_account("ada@example.test")
    thief, owner = from_address(app, "203.0.113.66"), from_address(app, "203.0.113.5")
    assert sign_in(thief, "ada@example.test").status_code == 302   # a stolen password
    assert sign_in(owner, "ada@example.test").status_code == 302
    assert account_form(owner, "/account/password", "password", current_password=PASSWORD,
                        password=NEW_PASSWORD, password_again=NEW_PASSWORD).status_code == 302
    spend_the_shared_budget(app, "ada@example.test")

    assert sign_in(thief, "ada@example.test", "guessing the new one").status_code == 429
    # The browser that changed the password was handed a cookie under the new one.
    assert owner.post("/logout", data={"csrf_token": csrf_token_of(
        owner.get("/account").get_data(as_text=True))}).status_code == 302
    assert sign_in(owner, "ada@example.test", NEW_PASSWORD).status_code == 302


def test_a_device_cookie_from_before_a_password_reset_no_longer_has_its_own_budget(
        mailing_app, make_account, mailbox) -> None:
    make_account("ada@example.test")
    thief = from_address(mailing_app, "203.0.113.66")
    assert sign_in(thief, "ada@example.test").status_code == 302
    owner = mailing_app.test_client()
    token = csrf_token_of(owner.get("/password/forgot").get_data(as_text=True))
    owner.post("/password/forgot", data={"email": "ada@example.test", "csrf_token": token})
    path = urlsplit(mailbox.link_in("ada@example.test")).path
    token = csrf_token_of(owner.get(path).get_data(as_text=True))
    assert owner.post(path, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD,
                                  "csrf_token": token}).status_code == 200
    spend_the_shared_budget(mailing_app, "ada@example.test")

    assert sign_in(thief, "ada@example.test", "guessing the new one").status_code == 429


def test_a_device_cookie_of_a_deleted_account_does_not_count_for_the_next_one_at_its_address(
        app, make_account) -> None:
    make_account("ada@example.test")
    former = from_address(app, "203.0.113.66")
    assert sign_in(former, "ada@example.test").status_code == 302
    assert account_form(former, "/account/delete", "delete", current_password=PASSWORD,
                        confirm="y").status_code == 200
    make_account("ada@example.test")   # the address signed up again, by whoever holds it now
    spend_the_shared_budget(app, "ada@example.test")

    assert sign_in(former, "ada@example.test", "a guess").status_code == 429


def test_the_owners_device_keeps_its_budget_across_a_sign_out(app, make_account) -> None:
    make_account("ada@example.test")
    owner = from_address(app, "203.0.113.5")
    assert sign_in(owner, "ada@example.test").status_code == 302
    token = csrf_token_of(owner.get("/account").get_data(as_text=True))
    assert owner.post("/logout", data={"csrf_token": token}).status_code == 302
    spend_the_shared_budget(app, "ada@example.test")

    assert sign_in(owner, "ada@example.test").status_code == 302


def test_the_owners_device_keeps_its_budget_after_moving_to_a_new_address(
        mailing_app, make_account, mailbox) -> None:
    make_account("ada@example.test")
    owner = from_address(mailing_app, "203.0.113.5")
    assert sign_in(owner, "ada@example.test").status_code == 302
    assert account_form(owner, "/account/email", "email", email="ada@new.example",
                        current_password=PASSWORD).status_code == 302
    assert owner.get(urlsplit(mailbox.link_in("ada@new.example")).path).status_code == 200
    token = csrf_token_of(owner.get("/account").get_data(as_text=True))
    assert owner.post("/logout", data={"csrf_token": token}).status_code == 302
    spend_the_shared_budget(mailing_app, "ada@new.example")

    assert sign_in(owner, "ada@new.example").status_code == 302
