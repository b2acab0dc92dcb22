"""Real image files for tests that serve publishers' pictures: a solid-colour PNG of any
size, built with zlib (RFC 2083), so a browser really decodes and shows it, and
loopback servers that hand them out, or fail to; and, in a browser page, the pictures
held back until their boxes are painted."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.servers import serving


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    row = b"\x00" + bytes(rgb) * width                   # filter type 0, then pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(row * height, 9)) + _chunk(b"IEND", b""))


@contextmanager
def picture_server(host: str, width: int, height: int) -> Iterator[tuple[str, list[str]]]:
    """A publisher's image host on `host` (a loopback address), port chosen by the OS:
    every path answers a PNG whose colour follows the path. Yields the base URL and the
    User-Agent of every request it received."""
    agents: list[str] = []

    class Pictures(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            agents.append(self.headers.get("User-Agent", ""))
            tone = sum(self.path.encode()) % 200
            body = png(width, height, (tone, 100, 200 - tone))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    with serving(ThreadingHTTPServer((host, 0), Pictures)) as base_url:
        yield base_url, agents


def photo(width: int, height: int, *, seed: int = 0, quality: int = 85) -> bytes:
    """A JPEG as heavy as a real photograph of that size (noise does not compress):
    what a publisher's 1600 px lead image weighs, for tests that count bytes."""
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    small = Image.frombytes("RGB", (width // 8, height // 8),
                            rng.randbytes(3 * (width // 8) * (height // 8)))
    image = small.resize((width, height), Image.Resampling.BILINEAR)
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    image = Image.merge("RGB", [Image.blend(band, noise, 0.12) for band in image.split()])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


# What a publisher's image host answers for a path naming a failure (see `publisher`).
FAILURES = {"missing": (404, "text/plain", b"not found"),
            "broken": (500, "text/plain", b"server error"),
            "page": (200, "text/html", b"<!doctype html><title>Hotlinking refused</title>"),
            "tiny": (200, "image/png", png(1, 1))}


@contextmanager
def publisher(host: str = "127.0.0.1", *, width: int = 1600,
              height: int = 900) -> Iterator[tuple[str, list[str]]]:
    """A realistic publisher's image host: `/<name>.jpg` is a photograph-weight JPEG of
    `width`×`height`, except a name starting with a key of FAILURES (`missing-3.jpg` is a
    404, `broken-…` a 500, `page-…` an HTML page, `tiny-…` a 1×1 image). Yields the base
    URL and the paths requested."""
    paths: list[str] = []
    cache: dict[int, bytes] = {}

    class Images(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            paths.append(self.path)
            name = self.path.rsplit("/", 1)[-1]
            failure = next((answer for prefix, answer in FAILURES.items()
                            if name.startswith(prefix)), None)
            if failure is None:
                seed = sum(self.path.encode()) % 7
                if seed not in cache:
                    cache[seed] = photo(width, height, seed=seed)
                failure = (200, "image/jpeg", cache[seed])
            status, content_type, body = failure
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    with serving(ThreadingHTTPServer((host, 0), Images)) as base_url:
        yield base_url, paths


@contextmanager
def host_down(host: str = "127.0.0.1") -> Iterator[str]:
    """A publisher's image host on `host` that is down: every request gets a 500 with an
    empty body. Yields its base URL."""

    class ServerError(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    with serving(ThreadingHTTPServer((host, 0), ServerError)) as base_url:
        yield base_url


class HeldPictures:
    """The media proxy's answers (a picture, or the placeholder for a dead one) held back
    in a browser `page` until `let_go`: the pictures' boxes are laid out, and can be
    painted, before anything arrives. Set up before the page is loaded."""

    def __init__(self, page: Any) -> None:
        self.routes: list[Any] = []
        page.route("**/media/**", self._hold)

    def _hold(self, route: Any) -> None:     # Playwright takes no builtin as a handler
        self.routes.append(route)

    def let_go(self) -> None:
        assert self.routes, "the page asked for no picture"
        for route in self.routes:
            route.continue_()


def wait_for_paint(page: Any) -> None:
    """Until the page has painted a frame (the callback of the frame after it runs)."""
    page.evaluate("() => new Promise((painted) => requestAnimationFrame(() => "
                  "requestAnimationFrame(painted)))")
