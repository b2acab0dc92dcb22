"""Loopback HTTP servers for tests, each answering from a thread of its own: the app for
a browser, a publisher's image host, anything with `serve_forever`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import HTTPServer


@contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """`server` (bound to a loopback address, port chosen by the OS) answering until the
    block ends, then shut down and closed. Yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{server.server_address[0]}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
