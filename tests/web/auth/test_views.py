"""Sign-in, registration, sign-out and reset, through the test client."""

from __future__ import annotations

import time

import pytest
from flask_login import current_user
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from models.db import session_scope
from models.users import User, by_email
from tests.web.auth.fixtures import PASSWORD, csrf_token_of
from web.auth import outbox, tokens


def sign_in(client, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token, **extra})


def test_sign_in_with_the_right_password_redirects_to_next(client, make_account) -> None:
    make_account("ada@example.test")
    response = sign_in(client, "Ada@Example.test", next="/section/world")
    assert response.status_code == 302
    assert response.headers["Location"] == "/section/world"
    with client:
        client.get("/healthz")
        assert current_user.is_authenticated and current_user.email == "ada@example.test"


def test_sign_in_with_a_wrong_password_is_refused(client, make_account) -> None:
    make_account("ada@example.test")
    response = sign_in(client, "ada@example.test", "not the password at all")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)


def test_sign_in_starts_a_fresh_session(client, make_account) -> None:
    user = make_account("ada@example.test")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "ada@example.test")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()


def test_register_records_the_policy_version_and_sends_a_verification_link(
        client, mailing_app, mailbox, settings) -> None:
    client = mailing_app.test_client()
    html = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "email": "new@example.test", "password": "a long unusual passphrase",
        "password_again": "a long unusual passphrase", "accept_terms": "y",
        "csrf_token": csrf_token_of(html)})
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    link = mailbox.link_in("new@example.test", subject_has="Confirm")
    with session_scope(mailing_app.extensions["hopper_database"]) as session:
        user = by_email(session, "new@example.test")
        assert user.terms_version == settings.policy_version
        assert user.terms_accepted_at is not None and not user.is_verified
    path = link.split("5000", 1)[1]
    assert client.get(path).status_code == 200
    with session_scope(mailing_app.extensions["hopper_database"]) as session:
        assert by_email(session, "new@example.test").is_verified
    assert client.get(path).status_code == 400   # spent


def test_an_expired_verification_link_is_refused(client, make_account, app) -> None:
    user = make_account("ada@example.test", is_verified=False)

    class SignerThreeDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 72 * 3600

    payload = {"u": user.id, "e": user.email}
    stale = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.VERIFY_EMAIL.salt,
                                   signer=SignerThreeDaysAgo).dumps(payload)
    assert client.get(f"/verify/{stale}").status_code == 400
    fresh = tokens.make_token(app.config["SECRET_KEY"], tokens.VERIFY_EMAIL, payload)
    assert client.get(f"/verify/{fresh}").status_code == 200


def test_register_without_agreeing_to_the_terms_creates_nothing(client, database) -> None:
    html = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "email": "new@example.test", "password": "a long unusual passphrase",
        "password_again": "a long unusual passphrase", "csrf_token": csrf_token_of(html)})
    assert "You need to agree" in response.get_data(as_text=True)
    with session_scope(database) as session:
        assert by_email(session, "new@example.test") is None


def test_register_refuses_an_address_too_long_once_lower_cased(client, database) -> None:
    """"İ" lower-cases to two characters: 300 of them fit the form's 320 but not the
    column, which PostgreSQL enforces (a 500 before the check)."""
    address = "\u0130" * 300 + "@example.test"
    html = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "email": address, "password": "a long unusual passphrase",
        "password_again": "a long unusual passphrase", "accept_terms": "y",
        "csrf_token": csrf_token_of(html)})
    assert response.status_code == 200
    assert "That e-mail address is too long." in response.get_data(as_text=True)
    with session_scope(database) as session:
        assert by_email(session, address) is None


@pytest.mark.parametrize("address", ["zz,victim@example.test", "zz;victim@example.test",
                                     "Zz <victim@example.test>", '"zz,x"@example.test',
                                     "zz:victim@example.test", "victim@example.test,zz"])
def test_register_refuses_an_address_that_a_mail_header_reads_as_another(
        mailing_app, mailbox, database, address: str) -> None:
    """A To header splits 'zz,victim@example.test' into two recipients: the account was
    created and its verification mail went to victim@example.test (and to a local 'zz'
    on the relay), each spelling a new address for the per-address mail cap, so any
    number of them reached the victim."""
    client = mailing_app.test_client()
    html = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "email": address, "password": "a long unusual passphrase",
        "password_again": "a long unusual passphrase", "accept_terms": "y",
        "csrf_token": csrf_token_of(html)})
    assert response.status_code == 200
    assert "Enter an e-mail address like name@example.com." in response.get_data(as_text=True)
    assert outbox.wait_until_sent(timeout_s=15)
    assert mailbox.messages == []
    with session_scope(database) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_register_refuses_a_common_password(client, database) -> None:
    html = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={
        "email": "new@example.test", "password": "1234567890", "password_again": "1234567890",
        "accept_terms": "y", "csrf_token": csrf_token_of(html)})
    assert "most common" in response.get_data(as_text=True)
    with session_scope(database) as session:
        assert by_email(session, "new@example.test") is None


def test_logout_is_post_only_and_ends_every_session(app, make_account) -> None:
    make_account("ada@example.test")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "ada@example.test")
    sign_in(phone, "ada@example.test")
    assert laptop.get("/logout").status_code == 405
    token = csrf_token_of(laptop.get("/account").get_data(as_text=True))
    assert laptop.post("/logout", data={"csrf_token": token}).status_code == 302
    for device in (laptop, phone):
        assert device.get("/account").status_code == 302   # sent to sign in


def test_an_unverified_reader_can_sign_in(client, make_account) -> None:
    make_account("ada@example.test", is_verified=False)
    assert sign_in(client, "ada@example.test").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "not confirmed yet" in page


def test_a_signed_in_reader_opening_register_is_sent_to_the_account_page(
        client, make_account) -> None:
    make_account("ada@example.test")
    sign_in(client, "ada@example.test")
    response = client.get("/register")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


def test_account_page_sends_anonymous_visitors_to_sign_in_with_a_relative_next(client,
                                                                             database) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


def test_suspended_users_cannot_sign_in(client, make_account, database) -> None:
    user = make_account("ada@example.test")
    with session_scope(database) as session:
        session.get(User, user.id).is_suspended = True
    assert sign_in(client, "ada@example.test").status_code == 401


def test_remember_me_outlives_the_session_cookie_until_sign_out(app, make_account) -> None:
    make_account("ada@example.test")
    client = app.test_client()
    sign_in(client, "ada@example.test", remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    client.delete_cookie("session")                        # the browser was closed
    assert client.get("/account").status_code == 200       # signed in again from the cookie
    stolen_copy = remember.value
    token = csrf_token_of(client.get("/account").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    assert client.get_cookie("remember_token") is None
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen_copy)
    assert thief.get("/account").status_code == 302       # the old copy is void


def test_auth_pages_are_never_stored_by_caches(client, database) -> None:
    for path in ("/login", "/register", "/password/forgot", "/password/reset/x"):
        assert client.get(path).headers["Cache-Control"] == "no-store"
