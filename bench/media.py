"""Benchmark the media proxy's costs on the page and per image.

    .venv/bin/python bench/media.py

Prints:
- µs per `media_url` (one HMAC + base64) and per article-body rewrite (nh3, a body of
  ~6 KB with 6 images; the fast path for a body without images);
- ms per image for a first fetch from a local publisher (127.0.0.1, 100 KB PNG) and for
  a disk-cache hit, through the Flask test client (no page cache, no network for hits).
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hopper.settings import load_settings  # noqa: E402
from tests.pictures import png  # noqa: E402
from web.media.links import MediaLinks  # noqa: E402
from web.media.signing import derive_key, media_path  # noqa: E402

PICTURE = png(600, 400) + b"\0" * 100_000


def timed_us(call, repeat: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat * 1e6


def page_costs() -> None:
    from flask import Flask

    links = MediaLinks(key=derive_key("bench"), base_url="https://news.example",
                       is_enabled=True)
    paragraph = "<p>" + "Words of the story, " * 40 + "</p>"
    body = "".join(f'{paragraph}<figure><img src="https://img.example/{n}.jpg" alt="x" '
                   f'srcset="https://img.example/{n}-2x.jpg 2x" loading="lazy"></figure>'
                   for n in range(6))
    plain = paragraph * 6
    with Flask(__name__).test_request_context("/"):
        one = "https://img.example/a.jpg"
        print(f"media_url: {timed_us(lambda: links.url(one), 20000):.1f} µs")
        print(f"body rewrite, {len(body)} bytes, 6 images: "
              f"{timed_us(lambda: links.rewrite_body(body), 2000):.0f} µs")
        print(f"body rewrite, {len(plain)} bytes, no image: "
              f"{timed_us(lambda: links.rewrite_body(plain), 20000):.1f} µs")


def proxy_costs() -> None:
    class Images(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PICTURE)))
            self.end_headers()
            self.wfile.write(PICTURE)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Images)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as instance:
        settings = dataclasses.replace(load_settings({
            "HOPPER_INSTANCE": instance, "SECRET_KEY": "bench",
            "HOPPER_ALLOW_PRIVATE_NETWORKS": "1"}))
        from flask import Flask

        from web.media import init_app

        app = Flask(__name__)
        app.config["HOPPER_SETTINGS"] = settings
        init_app(app)
        client = app.test_client()
        key = derive_key(settings.secret_key)
        base = f"http://127.0.0.1:{server.server_port}"
        first, hits = [], []
        for n in range(100):
            path = media_path(key, f"{base}/{n}.png")
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            first.append((time.perf_counter() - started) * 1000)
            for _ in range(5):
                started = time.perf_counter()
                response = client.get(path)
                response.get_data()
                hits.append((time.perf_counter() - started) * 1000)
        print(f"first fetch ({len(PICTURE) // 1024} KB, local publisher): "
              f"p50 {statistics.median(first):.2f} ms, "
              f"p95 {statistics.quantiles(first, n=20)[18]:.2f} ms")
        print(f"disk-cache hit: p50 {statistics.median(hits):.2f} ms, "
              f"p95 {statistics.quantiles(hits, n=20)[18]:.2f} ms")
    server.shutdown()


if __name__ == "__main__":
    page_costs()
    proxy_costs()
