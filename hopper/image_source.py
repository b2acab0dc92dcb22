"""Publishers' images as the site serves them: from the disk cache, else fetched once
through the gate (hopper/image_gate.py), holding one of the publisher's host slots
(hopper/host_slots.py: HOPPER_PER_HOST_CONCURRENCY, shared with feed polls and full-text
pages), with the guarded client (hopper/image_fetch.py); resized copies are made from the
cached original (hopper/image_variants.py).

The web's media proxy and the workers' background checks share this one path, so an
image a worker fetched ahead of readers is the one the proxy serves, and a failure either
of them met is remembered for both.

    find cached | recent failure? | gate turn | host slot | fetch | store (size cap) | variant
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hopper import media_cache
from hopper.host_slots import HostBusy, HostSlots
from hopper.image_fetch import BadGateway, ImageClient, UpstreamError
from hopper.image_gate import FetchGate
from hopper.image_variants import VARIANT_TYPES, NotAnImage, inspect_image, render_variant
from hopper.media_cache import CachedImage

log = logging.getLogger(__name__)

# A resized copy is only made of a picture at least this many pixels on each side; the
# placeholder stands in for anything smaller (web/media/views.py).
MIN_VARIANT_SIDE = 16
BUSY_POLL_S = 0.05
# A fetch running this long is a slow host's: a request does not wait for it to end.
SLOW_FETCH_S = 0.3


class Busy(UpstreamError):
    """Not fetched now, to keep from waiting: the reader gets a placeholder at once."""

    status = 503


class RecentlyFailed(UpstreamError):
    """Failed a moment ago; answered from the failure cache without asking again."""

    def __init__(self, status: int) -> None:
        super().__init__(f"failed within the last minutes (HTTP {status})")
        self.status = status


@dataclass
class ImageSource:
    client: ImageClient
    gate: FetchGate
    root: Path
    max_bytes: int
    # How long a request may wait for another's fetch of the same image or for a free
    # fetch slot: short, so a hanging publisher costs a reader a second, not a worker.
    busy_wait_s: float = 0.0
    # The publisher's host slots (None: no per-host limit, as when Redis is not used).
    host_slots: HostSlots | None = None

    def original(self, url: str) -> CachedImage:
        """The publisher's image, cached on disk; raises an UpstreamError whose status is
        what a reader gets. When another request is fetching it, or every fetch slot is
        taken, waits at most `busy_wait_s` for that fetch or a slot (a normal image takes
        a fraction of that) — and not at all once that fetch has run SLOW_FETCH_S — then
        gives up with Busy; never waits on a remembered failure."""
        deadline = time.monotonic() + self.busy_wait_s
        while True:
            cached = media_cache.find(self.root, url)
            if cached is not None:
                return cached
            status = self.gate.recent_failure(url)
            if status is not None:
                raise RecentlyFailed(status)
            with self.gate.turn(url) as turn:
                if turn.is_granted:
                    return self._fetch(url)
            if time.monotonic() >= deadline or turn.busy_for_s >= SLOW_FETCH_S:
                raise Busy(turn.reason)
            time.sleep(BUSY_POLL_S)

    def _fetch(self, url: str) -> CachedImage:
        with ExitStack() as holding:
            if self.host_slots is not None:
                try:
                    holding.enter_context(self.host_slots.hold(urlsplit(url).hostname or ""))
                except HostBusy as busy:
                    # The host has as many requests as it may (feeds, pages, images):
                    # not now, and not a failure to remember.
                    raise Busy(str(busy)) from busy
            try:
                content, _type = self.client.fetch(url)
            except UpstreamError as error:
                self.gate.remember_failure(url, error.status)
                raise
        return media_cache.store(self.root, url, content, max_bytes=self.max_bytes)

    def variant(self, url: str, width: int, fmt: str) -> CachedImage:
        """The image at most `width` wide as `fmt` ("webp" or "jpeg"), made once from the
        cached original."""
        key = media_cache.variant_key(url, width, fmt)
        cached = media_cache.find(self.root, key)
        if cached is not None:
            return cached
        original = self.original(url)
        try:
            content = original.path.read_bytes()
            info = inspect_image(content)
            if info.width < MIN_VARIANT_SIDE or info.height < MIN_VARIANT_SIDE:
                # A counter pixel or a spacer: nothing a reader should see as a picture.
                raise NotAnImage(f"{info.width}×{info.height} is too small to show")
            content = render_variant(content, width, fmt)
        except NotAnImage as error:
            # Sniffed as an image but not decodable (or a decompression bomb): never again.
            self.gate.remember_failure(url, BadGateway.status)
            raise BadGateway(f"{url}: {error}") from error
        except FileNotFoundError as error:      # trimmed between find and read
            raise Busy("the cached original was just trimmed") from error
        stored = media_cache.store(self.root, key, content, max_bytes=self.max_bytes)
        if stored.content_type != VARIANT_TYPES[fmt]:
            log.warning("variant of %s stored as %s", url, stored.content_type)
        return stored
