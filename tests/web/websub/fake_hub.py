"""A small WebSub hub and publisher on loopback, for tests against a running Hopper.

It serves a feed at /feed.xml that names the hub and its topic in Link headers (and,
optionally, as atom:link elements), takes subscription requests at /hub, answers them
202 and then verifies each one by calling the subscriber's callback back, as a real hub
does (W3C WebSub §5.3), and delivers bodies signed with any secret and method (§8).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode
from urllib.request import Request, urlopen

RSS = "application/rss+xml"


def rss(*items: tuple[str, str], links: str = "") -> bytes:
    """An RSS 2.0 feed; each item is (guid, title); `links` goes inside the channel."""
    body = "".join(f"<item><guid>{guid}</guid><title>{title}</title>"
                   f"<link>http://example.test/{guid}</link>"
                   f"<description>About {title}</description>"
                   f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
                   for guid, title in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f"<title>Pushed</title><link>http://example.test/</link>{links}{body}"
            f"</channel></rss>").encode()


@dataclass(frozen=True)
class Verification:
    """One verification GET the hub made: what it asked and what the subscriber said."""

    callback: str
    challenge: str
    status: int
    answer: str


def call(url: str, *, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, str]:
    """(status, body) of a GET (or POST with `data`), 4xx and 5xx included."""
    request = Request(url, data=data, headers=headers or {},
                      method="POST" if data is not None else "GET")
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class FakeHub:
    def __init__(self, *, lease_seconds: int = 3600, verifies_before_answering: bool = False
                 ) -> None:
        self.lease_seconds = lease_seconds
        # §5.3 lets a hub verify before it even answers the subscription request.
        self.verifies_before_answering = verifies_before_answering
        self.items: list[tuple[str, str]] = [("first", "First post")]
        self.names_hub = True          # whether the feed advertises this hub
        self.requests: list[dict[str, str]] = []
        self.verifications: list[Verification] = []
        self._changed = threading.Condition()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:   # noqa: N802
                body = rss(*hub.items)
                self.send_response(200)
                self.send_header("Content-Type", RSS)
                if hub.names_hub:
                    self.send_header("Link", f'<{hub.hub_url}>; rel="hub"')
                    self.send_header("Link", f'<{hub.topic_url}>; rel="self"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:   # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = {key: values[0] for key, values
                        in parse_qs(self.rfile.read(length).decode()).items()}
                with hub._changed:          # recorded before the subscriber hears back
                    hub.requests.append(form)
                    hub._changed.notify_all()
                is_subscribe = form.get("hub.mode") == "subscribe"
                if is_subscribe and hub.verifies_before_answering:
                    hub.verify(form)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if is_subscribe and not hub.verifies_before_answering:
                    threading.Thread(target=hub.verify, args=(form,), daemon=True).start()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def hub_url(self) -> str:
        return f"{self.url}/hub"

    @property
    def feed_url(self) -> str:
        return f"{self.url}/feed.xml"

    @property
    def topic_url(self) -> str:
        # The canonical topic differs from the URL polled: the subscription must use it.
        return f"{self.url}/feed.xml?canonical=1"

    def verify(self, form: dict[str, str], *, mode: str = "subscribe") -> Verification:
        """Call the subscriber back to confirm its intent (§5.3)."""
        challenge = secrets.token_urlsafe(24)
        query = urlencode({"hub.mode": mode, "hub.topic": form["hub.topic"],
                           "hub.challenge": challenge,
                           "hub.lease_seconds": str(self.lease_seconds)})
        status, answer = call(f"{form['hub.callback']}?{query}")
        verification = Verification(form["hub.callback"], challenge, status, answer)
        with self._changed:
            self.verifications.append(verification)
            self._changed.notify_all()
        return verification

    def deny(self, callback: str, topic: str, reason: str) -> int:
        query = urlencode({"hub.mode": "denied", "hub.topic": topic, "hub.reason": reason})
        return call(f"{callback}?{query}")[0]

    def deliver(self, callback: str, body: bytes, *, secret: str | None,
                method: str = "sha256") -> int:
        """POST `body` to the callback, signed with `secret` (None: unsigned)."""
        headers = {"Content-Type": RSS}
        if secret is not None:
            digest = hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()
            headers["X-Hub-Signature"] = f"{method}={digest}"
        return call(callback, data=body, headers=headers)[0]

    def wait_for_verifications(self, count: int, timeout_s: float = 15.0) -> list[Verification]:
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while len(self.verifications) < count and time.monotonic() < deadline:
                self._changed.wait(timeout=deadline - time.monotonic())
            return list(self.verifications)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def running_hub(lease_seconds: int = 3600) -> Iterator[FakeHub]:
    with FakeHub(lease_seconds=lease_seconds) as hub:
        yield hub
