"""Real image files for tests that serve publishers' pictures: a solid-colour PNG of any
size, built with zlib (RFC 2083), so a browser really decodes and shows it, and a
loopback server that hands them out."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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

    server = ThreadingHTTPServer((host, 0), Pictures)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}", agents
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
