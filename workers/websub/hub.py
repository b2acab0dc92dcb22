"""The subscription request (W3C WebSub §5.1): a form POST to the hub, through the same
SSRF guard and time limits as every fetch. The hub answers 202 Accepted and verifies the
intent later by calling us back (web/websub)."""

from __future__ import annotations

from urllib.parse import urlencode

import urllib3
from urllib3 import exceptions as urllib3_errors

from hopper import guarded_http
from hopper.guarded_http import address_check, guarded_pool_manager
from hopper.settings import Settings
from workers.ingest.errors import HTTPStatusError, NetworkError
from workers.ingest.steps.fetch import GUARD_ERRORS, user_agent

ERROR_BODY_CHARS = 200


class HubClient:
    """Thread-safe; one per process."""

    def __init__(self, settings: Settings) -> None:
        self.limits = settings.limits
        self.user_agent = user_agent(settings.base_url)
        self.address_check = address_check(
            allow_private_networks=settings.allow_private_networks)
        self._manager = guarded_pool_manager(is_allowed_address=self.address_check,
                                             errors=GUARD_ERRORS, pool_size=4)

    def close(self) -> None:
        self._manager.clear()

    def subscribe(self, hub_url: str, *, topic: str, callback: str, secret: str,
                  lease_seconds: int) -> None:
        """Ask `hub_url` to push `topic` to `callback`; raises an IngestError saying why
        it did not accept (anything but 2xx, or no answer)."""
        url = guarded_http.check_url(hub_url, GUARD_ERRORS)
        guarded_http.refuse_before_connecting(url, self.address_check, GUARD_ERRORS)
        form = urlencode({"hub.mode": "subscribe", "hub.topic": topic,
                          "hub.callback": callback, "hub.secret": secret,
                          "hub.lease_seconds": str(lease_seconds)})
        timeout = urllib3.Timeout(connect=self.limits.connect_timeout_s,
                                  read=self.limits.read_timeout_s)
        try:
            response = self._manager.request(
                "POST", url, body=form, timeout=timeout, redirect=False, retries=False,
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "User-Agent": self.user_agent})
        except urllib3_errors.HTTPError as error:
            raise NetworkError(f"hub {url} did not answer: {error}") from error
        if not 200 <= response.status < 300:
            said = response.data[:ERROR_BODY_CHARS].decode("utf-8", "replace").strip()
            raise HTTPStatusError(f"hub {url} refused the subscription: HTTP "
                                  f"{response.status} {said}".strip(), response.status)

