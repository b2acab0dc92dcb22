"""Fixtures for the account and consent flows: an SMTP server that keeps what it
receives, the app served over HTTP on a free loopback port, Debian's Chromium, and
accounts that can sign in. Imported by the conftest files of tests/web/auth, account and
consent.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from hopper.settings import Settings

LINK = re.compile(r"https?://\S+")


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, to: str, *, subject_has: str = "", timeout_s: float = 15) -> EmailMessage:
        deadline = time.monotonic() + timeout_s
        with self._arrived:
            while True:
                for message in self.messages:
                    if message["To"] == to and subject_has in str(message["Subject"]):
                        self.messages.remove(message)
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no mail to {to} ({subject_has!r}) within {timeout_s}s")
                self._arrived.wait(remaining)

    def link_in(self, to: str, *, subject_has: str = "") -> str:
        return first_link(self.wait_for(to, subject_has=subject_has))


def first_link(message: Message) -> str:
    body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    found = LINK.search(body.get_content())
    assert found, "the message holds no link"
    return found.group(0)


class LoopbackController(Controller):
    """aiosmtpd's Controller, but on port 0: it learns the port the kernel chose."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = LoopbackController(box, hostname="127.0.0.1", port=0)
    controller.start()
    box.url = f"smtp://127.0.0.1:{controller.port}"  # type: ignore[attr-defined]
    yield box
    controller.stop()


@dataclasses.dataclass
class LiveServer:
    url: str
    app: Any


@pytest.fixture
def mailing_app(settings: Settings, database: Any, mailbox: Mailbox) -> Iterator[Any]:
    """The app with MAIL_URL pointing at the test's SMTP server."""
    from web import create_app

    app = create_app({"TESTING": True},
                     settings=dataclasses.replace(settings, mail_url=mailbox.url))  # type: ignore[attr-defined]
    yield app
    app.extensions["hopper_database"].dispose()


@pytest.fixture
def live_server(mailing_app: Any) -> Iterator[LiveServer]:
    """The app on http://127.0.0.1:<free port>, e-mailing links to that address."""
    server = make_server("127.0.0.1", 0, mailing_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    settings = mailing_app.config["HOPPER_SETTINGS"]
    mailing_app.config["HOPPER_SETTINGS"] = dataclasses.replace(settings, base_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=url, app=mailing_app)
    server.shutdown()
    thread.join(10)


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_account(make_user: Any) -> Any:
    """A user who can sign in with `password` (hashed the way the app hashes)."""
    from web.auth.passwords import hash_password

    def make(email: str = "reader@example.test", password: str = PASSWORD, **kwargs: Any) -> Any:
        return make_user(email, password_hash=hash_password(password), **kwargs)

    return make


def csrf_token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page holds no CSRF token"
    return found.group(1)
