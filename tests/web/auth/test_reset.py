"""Forgotten password: the same answer for every address; links that expire and work once."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from models.db import session_scope
from models.users import User
from tests.web.auth.fixtures import PASSWORD, csrf_token_of
from web.auth import outbox, tokens

NEW_PASSWORD = "a brand new unusual passphrase"


def ask_for_reset(client, email: str):  # type: ignore[no-untyped-def]
    token = csrf_token_of(client.get("/password/forgot").get_data(as_text=True))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def set_password(client, path: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"password": password, "password_again": password,
                                   "csrf_token": csrf_token_of(page.get_data(as_text=True))})


def test_known_and_unknown_addresses_get_the_same_answer(mailing_app, make_account,
                                                         mailbox) -> None:
    make_account("ada@example.test")
    known = ask_for_reset(mailing_app.test_client(), "ada@example.test")
    unknown = ask_for_reset(mailing_app.test_client(), "nobody@example.test")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert set(known.headers.keys()) == set(unknown.headers.keys())
    mailbox.wait_for("ada@example.test", subject_has="new password")
    assert outbox.wait_until_sent(timeout_s=15)   # whatever both requests queued has arrived
    assert not any(message["To"] == "nobody@example.test" for message in mailbox.messages)


def test_the_reset_mail_is_handed_over_only_after_the_answer_is_sent(
        mailing_app, make_account, mailbox) -> None:
    """The outbox's thread must not work while the answer is made: for a known address
    it then took about 2 ms longer than for an unknown one (an outside review)."""
    make_account("ada@example.test")
    client = mailing_app.test_client()
    token = csrf_token_of(client.get("/password/forgot").get_data(as_text=True))
    answer = client.post("/password/forgot", buffered=False,
                         data={"email": "ada@example.test", "csrf_token": token})
    assert answer.status_code == 200
    assert outbox.wait_until_sent(timeout_s=15)        # nothing queued while it is open
    assert mailbox.messages == []
    answer.close()                                     # as a WSGI server, once sent
    mailbox.wait_for("ada@example.test", subject_has="new password")


def test_a_reset_link_works_once_and_does_not_sign_in(mailing_app, make_account, mailbox,
                                                      database) -> None:
    user = make_account("ada@example.test")
    client = mailing_app.test_client()
    ask_for_reset(client, "ada@example.test")
    path = urlsplit(mailbox.link_in("ada@example.test")).path
    done = set_password(client, path)
    assert done.status_code == 200 and "Sign in with the new password" in done.get_data(True)
    assert client.get("/account").status_code == 302   # not signed in
    again = set_password(client, path, "yet another unusual passphrase")
    assert again.status_code == 400
    with session_scope(database) as session:
        from web.auth.passwords import verify_password
        assert verify_password(session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(client, make_account, app) -> None:
    user = make_account("ada@example.test")

    class SignerTwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 2 * 3600

    payload = {"u": user.id, "p": tokens.password_fingerprint(user.password_hash),
               "e": tokens.fingerprint(user.email)}
    fresh = tokens.make_token(app.config["SECRET_KEY"], tokens.RESET_PASSWORD, payload)
    stale = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.RESET_PASSWORD.salt,
                                   signer=SignerTwoHoursAgo).dumps(payload)
    assert client.get(f"/password/reset/{fresh}").status_code == 200
    assert client.get(f"/password/reset/{stale}").status_code == 400
    assert set_password(client, f"/password/reset/{stale}").status_code == 400


def test_a_token_for_another_purpose_is_refused(client, make_account, app) -> None:
    user = make_account("ada@example.test")
    payload = {"u": user.id, "p": tokens.password_fingerprint(user.password_hash)}
    verify_token = tokens.make_token(app.config["SECRET_KEY"], tokens.VERIFY_EMAIL, payload)
    assert client.get(f"/password/reset/{verify_token}").status_code == 400


def test_a_reset_ends_every_signed_in_session(mailing_app, make_account, mailbox) -> None:
    make_account("ada@example.test")
    phone = mailing_app.test_client()
    token = csrf_token_of(phone.get("/login").get_data(as_text=True))
    phone.post("/login", data={"email": "ada@example.test", "password": PASSWORD,
                               "csrf_token": token})
    assert phone.get("/account").status_code == 200
    client = mailing_app.test_client()
    ask_for_reset(client, "ada@example.test")
    set_password(client, urlsplit(mailbox.link_in("ada@example.test")).path)
    assert phone.get("/account").status_code == 302


def test_a_reset_link_left_in_the_old_mailbox_dies_when_the_address_changes(
        mailing_app, make_account, mailbox) -> None:
    make_account("ada@example.test")
    ask_for_reset(mailing_app.test_client(), "ada@example.test")
    old_link = urlsplit(mailbox.link_in("ada@example.test", subject_has="new password")).path
    ada = mailing_app.test_client()
    token = csrf_token_of(ada.get("/login").get_data(as_text=True))
    ada.post("/login", data={"email": "ada@example.test", "password": PASSWORD,
                             "csrf_token": token})
    token = csrf_token_of(ada.get("/account").get_data(as_text=True))
    ada.post("/account/email", data={"csrf_token": token, "email-email": "ada@new.example",
                                     "email-current_password": PASSWORD})
    assert ada.get(urlsplit(mailbox.link_in("ada@new.example")).path).status_code == 200

    assert set_password(mailing_app.test_client(), old_link).status_code == 400


def test_a_reset_confirms_the_address_its_link_was_mailed_to(mailing_app, make_account,
                                                            mailbox, database) -> None:
    """The link reached the account's mailbox, which is what verifying an address proves:
    an owner whose address a stranger signed up with unverified (a pre-hijack) takes the
    account back with a reset, and it stands verified, not waiting for a link that went to
    the squatter's session."""
    user = make_account("ada@example.test", is_verified=False)
    client = mailing_app.test_client()
    ask_for_reset(client, "ada@example.test")
    done = set_password(client, urlsplit(mailbox.link_in("ada@example.test")).path)

    assert done.status_code == 200
    with session_scope(database) as session:
        assert session.get(User, user.id).is_verified
