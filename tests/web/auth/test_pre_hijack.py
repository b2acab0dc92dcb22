"""Pre-hijacking (Sudhodanan & Paverd, 2022): a stranger signs up with the owner's address
before the owner does, and keeps a way in for when the owner starts using the account.
Played end to end through the real sign-up, sign-in, reset and e-mail change, with every
message delivered to a real SMTP server: once the owner proves the address with a reset,
nothing the stranger set up still works — whether by a reset or by following the
"confirm your address" link that the stranger's sign-up mailed to the owner."""

from __future__ import annotations

from urllib.parse import urlsplit

from models.db import session_scope
from models.users import by_email
from tests.web.auth.fixtures import LINK, csrf_token_of

OWNER = "ada@example.test"
STRANGERS_PASSWORD = "the squatter's own passphrase"
OWNERS_PASSWORD = "ada's freshly chosen passphrase"


def path_of(link: str) -> str:
    return urlsplit(link).path


def register(client, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_token_of(client.get("/register").get_data(as_text=True))
    return client.post("/register", data={"email": email, "password": password,
                                          "password_again": password, "accept_terms": "y",
                                          "csrf_token": token})


def sign_in(client, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password,
                                       "remember": "y", "csrf_token": token})


def test_the_owners_reset_shuts_out_whoever_signed_up_with_the_address_first(
        mailing_app, mailbox, database) -> None:
    stranger = mailing_app.test_client()
    register(stranger, OWNER, STRANGERS_PASSWORD)
    mailbox.wait_for(OWNER, subject_has="Confirm")   # the owner is told, and may ignore it
    assert sign_in(stranger, OWNER, STRANGERS_PASSWORD).status_code == 302
    remembered = stranger.get_cookie("remember_token")
    assert remembered is not None and stranger.get("/account").status_code == 200
    # A way back in for later: moving the account to the stranger's own mailbox.
    token = csrf_token_of(stranger.get("/account").get_data(as_text=True))
    stranger.post("/account/email", data={
        "csrf_token": token, "email-email": "squatter@example.test",
        "email-current_password": STRANGERS_PASSWORD})
    move_link = path_of(mailbox.link_in("squatter@example.test"))

    owner = mailing_app.test_client()   # the owner signs up, is told to reset instead
    assert register(owner, OWNER, "whatever the owner types").status_code == 200
    notice = mailbox.wait_for(OWNER, subject_has="tried to register")
    reset_page = path_of(LINK.findall(notice.get_body(("plain",)).get_content())[-1])
    assert reset_page == "/password/forgot"
    token = csrf_token_of(owner.get(reset_page).get_data(as_text=True))
    owner.post(reset_page, data={"email": OWNER, "csrf_token": token})
    reset_link = path_of(mailbox.link_in(OWNER, subject_has="new password"))
    token = csrf_token_of(owner.get(reset_link).get_data(as_text=True))
    assert owner.post(reset_link, data={"password": OWNERS_PASSWORD,
                                        "password_again": OWNERS_PASSWORD,
                                        "csrf_token": token}).status_code == 200

    assert stranger.get("/account").status_code == 302        # the session is over
    stranger.delete_cookie("session")
    assert stranger.get("/account").status_code == 302        # and the remember-me cookie
    assert stranger.get(move_link).status_code == 400         # the pending move is void
    assert sign_in(mailing_app.test_client(), OWNER, STRANGERS_PASSWORD).status_code == 401
    assert sign_in(owner, OWNER, OWNERS_PASSWORD).status_code == 302
    with session_scope(database) as session:
        account = by_email(session, OWNER)
        assert account is not None and account.is_verified


def squat(mailing_app, mailbox):  # type: ignore[no-untyped-def]
    """The stranger signs up with the owner's address, signs in with remember-me and asks
    to move the account to their own mailbox; the owner is mailed a confirmation link.
    (The stranger's client, the pending move's link, the owner's confirmation link.)"""
    stranger = mailing_app.test_client()
    register(stranger, OWNER, STRANGERS_PASSWORD)
    confirm_link = path_of(mailbox.link_in(OWNER, subject_has="Confirm"))
    assert sign_in(stranger, OWNER, STRANGERS_PASSWORD).status_code == 302
    token = csrf_token_of(stranger.get("/account").get_data(as_text=True))
    stranger.post("/account/email", data={
        "csrf_token": token, "email-email": "squatter@example.test",
        "email-current_password": STRANGERS_PASSWORD})
    return stranger, path_of(mailbox.link_in("squatter@example.test")), confirm_link


def is_verified(database) -> bool:  # type: ignore[no-untyped-def]
    with session_scope(database) as session:
        account = by_email(session, OWNER)
        assert account is not None
        return account.is_verified


def test_the_owner_confirming_the_strangers_sign_up_chooses_the_password(
        mailing_app, mailbox, database) -> None:
    stranger, move_link, confirm_link = squat(mailing_app, mailbox)

    owner = mailing_app.test_client()   # the owner follows the link, in their own browser
    page = owner.get(confirm_link)
    assert page.status_code == 200 and "Choose your password" in page.get_data(as_text=True)
    assert not is_verified(database)    # opening the link alone leaves the stranger's password
    token = csrf_token_of(page.get_data(as_text=True))
    done = owner.post(confirm_link, data={"password": OWNERS_PASSWORD,
                                          "password_again": OWNERS_PASSWORD,
                                          "csrf_token": token})
    assert done.status_code == 200 and "address is confirmed" in done.get_data(as_text=True)

    assert is_verified(database)
    assert stranger.get("/account").status_code == 302        # the session is over
    stranger.delete_cookie("session")
    assert stranger.get("/account").status_code == 302        # and the remember-me cookie
    assert stranger.get(move_link).status_code == 400         # the pending move is void
    assert sign_in(mailing_app.test_client(), OWNER, STRANGERS_PASSWORD).status_code == 401
    assert owner.get(confirm_link).status_code == 400         # the link is spent
    assert sign_in(owner, OWNER, OWNERS_PASSWORD).status_code == 302


def test_signing_up_for_an_address_already_taken_earns_no_one_click_confirmation(
        mailing_app, mailbox, database) -> None:
    """The owner signs up after the stranger (and is told to reset instead): that
    browser's sign-up chose no password of the account, so the stranger's confirmation
    link still asks for one there. The sign-up's answer sets the session cookie all the
    same, as for a new address: it tells nobody that the address had an account."""
    _stranger, _move_link, confirm_link = squat(mailing_app, mailbox)
    owner = mailing_app.test_client()
    signed_up = register(owner, OWNER, OWNERS_PASSWORD)
    assert signed_up.status_code == 200 and "session=" in signed_up.headers["Set-Cookie"]
    assert "Choose your password" in owner.get(confirm_link).get_data(as_text=True)
    assert not is_verified(database)


def test_whoever_signed_up_confirms_with_one_click_in_the_same_browser(
        mailing_app, mailbox, database) -> None:
    reader = mailing_app.test_client()
    assert "session=" in register(reader, OWNER, OWNERS_PASSWORD).headers["Set-Cookie"]
    page = reader.get(path_of(mailbox.link_in(OWNER, subject_has="Confirm")))
    assert page.status_code == 200 and "address is confirmed" in page.get_data(as_text=True)
    assert is_verified(database)
    assert sign_in(reader, OWNER, OWNERS_PASSWORD).status_code == 302   # the password kept


def test_a_reader_signed_in_to_the_account_confirms_with_one_click(
        mailing_app, mailbox, database) -> None:
    """The link sent again from the account page, opened on another device the reader
    signed in on: that session proves the password."""
    register(mailing_app.test_client(), OWNER, OWNERS_PASSWORD)
    mailbox.wait_for(OWNER, subject_has="Confirm")
    phone = mailing_app.test_client()
    assert sign_in(phone, OWNER, OWNERS_PASSWORD).status_code == 302
    token = csrf_token_of(phone.get("/account").get_data(as_text=True))
    phone.post("/verify/resend", data={"csrf_token": token})
    page = phone.get(path_of(mailbox.link_in(OWNER, subject_has="Confirm")))
    assert page.status_code == 200 and "address is confirmed" in page.get_data(as_text=True)
    assert is_verified(database)
    assert phone.get("/account").status_code == 200           # still signed in
