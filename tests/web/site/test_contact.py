"""The contact form mails the operator through a real SMTP server, refuses forged posts,
explains mistakes and slows down floods."""

from __future__ import annotations

import re
import socket
from dataclasses import replace
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from web import create_app


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    inbox = Inbox()
    # aiosmtpd's start() connects to its own port to check it is up, so port 0 cannot be
    # passed through: ask the kernel for a free port first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def mailing_client(settings, database, smtp):  # type: ignore[no-untyped-def]
    controller, _inbox = smtp
    port = controller.port
    configured = replace(settings, mail_url=f"smtp://127.0.0.1:{port}",
                         contact_email="editors@example.test")
    app = create_app({"TESTING": True}, settings=configured)
    yield app.test_client()
    app.extensions["hopper_database"].dispose()


def csrf_token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/contact").get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found, "the form carries a CSRF token"
    return found.group(1)


VALID = {"name": "Ada Reader", "email": "ada@example.test", "subject": "A correction",
         "message": "The date in yesterday's story is wrong."}


def test_valid_message_reaches_the_operator_by_smtp(mailing_client, smtp) -> None:
    _controller, inbox = smtp
    token = csrf_token(mailing_client)

    response = mailing_client.post("/contact", data=VALID | {"csrf_token": token})

    assert response.status_code == 302 and response.headers["Location"] == "/contact"
    thanks = mailing_client.get("/contact").get_data(as_text=True)
    assert "Your message has been sent" in thanks
    [(recipients, message)] = inbox.messages
    assert recipients == ["editors@example.test"]
    assert message["Reply-To"] == "ada@example.test"
    assert "A correction" in message["Subject"]
    assert "The date in yesterday's story is wrong." in message.get_payload()


def test_without_configured_address_the_first_admin_is_mailed(
        settings, database, smtp, make_user) -> None:
    controller, inbox = smtp
    make_user("reader@example.test")
    make_user("boss@example.test", is_admin=True)
    make_user("deputy@example.test", is_admin=True)
    port = controller.port
    app = create_app({"TESTING": True},
                     settings=replace(settings, mail_url=f"smtp://127.0.0.1:{port}"))
    client = app.test_client()
    client.post("/contact", data=VALID | {"csrf_token": csrf_token(client)})
    app.extensions["hopper_database"].dispose()
    assert [recipients for recipients, _ in inbox.messages] == [["boss@example.test"]]


def test_post_without_csrf_token_is_refused_with_400(mailing_client, smtp) -> None:
    response = mailing_client.post("/contact", data=VALID)
    assert response.status_code == 400
    assert smtp[1].messages == []


def test_invalid_form_shows_messages_and_sends_nothing(mailing_client, smtp) -> None:
    token = csrf_token(mailing_client)
    response = mailing_client.post("/contact", data={
        "csrf_token": token, "name": "", "email": "not-an-address", "subject": "Hi",
        "message": "short"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Please check the form" in page
    assert "Please enter a valid e-mail address." in page
    assert 'aria-invalid="true"' in page
    assert smtp[1].messages == []


def test_header_injection_in_subject_is_flattened(mailing_client, smtp) -> None:
    token = csrf_token(mailing_client)
    mailing_client.post("/contact", data=VALID | {
        "csrf_token": token, "subject": "Hello\r\nBcc: victim@example.test"})
    [(recipients, message)] = smtp[1].messages
    assert recipients == ["editors@example.test"] and message["Bcc"] is None


def test_unreachable_mail_server_shows_a_message_not_a_500(settings, database) -> None:
    app = create_app({"TESTING": True}, settings=replace(
        settings, mail_url="smtp://127.0.0.1:9", contact_email="editors@example.test"))
    client = app.test_client()
    response = client.post("/contact", data=VALID | {"csrf_token": csrf_token(client)})
    app.extensions["hopper_database"].dispose()
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)


def test_sixth_message_within_an_hour_is_rate_limited(mailing_client, smtp) -> None:
    token = csrf_token(mailing_client)
    statuses = [mailing_client.post("/contact", data=VALID | {"csrf_token": token}).status_code
                for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(smtp[1].messages) == 5
    assert mailing_client.get("/contact").status_code == 200   # reading the form still works



def test_one_sender_is_limited_whatever_address_it_writes_from(mailing_client, smtp) -> None:
    token = csrf_token(mailing_client)
    statuses = [mailing_client.post("/contact", data=VALID | {"csrf_token": token},
                                    environ_base={"REMOTE_ADDR": f"10.0.4.{n}"}).status_code
                for n in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(smtp[1].messages) == 5


def test_a_line_break_after_the_sender_address_breaks_no_header(mailing_client, smtp) -> None:
    """`$` in the address pattern let one trailing newline through into Reply-To, where
    it ended the headers early and pushed the MIME headers into the body."""
    token = csrf_token(mailing_client)
    mailing_client.post("/contact", data=VALID | {"csrf_token": token,
                                                  "email": "ada@example.test\n"})
    [(_recipients, message)] = smtp[1].messages
    assert message["Reply-To"] == "ada@example.test"
    assert message.get_content_type() == "text/plain"
    assert message.get_payload().startswith("From: Ada Reader <ada@example.test>\r\n")


@pytest.mark.parametrize("address", ["ops,ada@example.test", "ops;ada@example.test",
                                     "ops:ada@example.test"])
def test_a_sender_address_that_names_several_mailboxes_is_refused(mailing_client, smtp,
                                                                  address: str) -> None:
    """Reply-To reads 'ops,ada@example.test' as two addresses (and the others as a
    group or an address list): answering the reader would also mail a local 'ops'."""
    token = csrf_token(mailing_client)
    response = mailing_client.post("/contact", data=VALID | {"csrf_token": token,
                                                              "email": address})
    assert response.status_code == 200
    assert "Please enter a valid e-mail address." in response.get_data(as_text=True)
    assert smtp[1].messages == []
