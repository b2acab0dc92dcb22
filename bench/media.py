"""Benchmark the media proxy's costs on the page and per image.

    .venv/bin/python bench/media.py

Prints:
- µs per `media_url` (one HMAC + base64) and per article-body rewrite (nh3, a body of
  ~6 KB with 6 images; the fast path for a body without images);
- ms per image for a first fetch from a local publisher (127.0.0.1, 100 KB PNG) and for
  a disk-cache hit, through the Flask test client (no page cache, no network for hits);
- ms to make each resized copy (160/320/640/1280 px, WebP and JPEG) of a 1600 × 900
  photograph-weight JPEG with Pillow, and its size; ms for a resized copy's cache hit;
- with a publisher's host that hangs (real gunicorn, 3 sync workers, 6 image requests in
  flight): /healthz and front-page latency meanwhile, how fast the requests that did not
  fetch got their placeholder, and a remembered failure's answer time.

Numbers are noisy on a shared machine: compare ratios within one run.
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


def media_app(instance: str):  # type: ignore[no-untyped-def]
    """A Flask app with only the media proxy, on an embedded Redis (stopped by the caller)."""
    import redis
    from flask import Flask

    from hopper.embedded_redis import embedded_redis_for
    from web.media import init_app

    settings = dataclasses.replace(load_settings({
        "HOPPER_INSTANCE": instance, "SECRET_KEY": "bench",
        "HOPPER_ALLOW_PRIVATE_NETWORKS": "1"}))
    embedded = embedded_redis_for(settings)
    embedded.start()
    app = Flask(__name__)
    app.config["HOPPER_SETTINGS"] = settings
    app.extensions["hopper_redis"] = redis.Redis.from_url(settings.redis_url)
    init_app(app)
    return app, settings, embedded


def variant_costs() -> None:
    from hopper.image_variants import VARIANT_WIDTHS, render_variant
    from tests.pictures import photo

    original = photo(1600, 900)
    print(f"resized copies of a 1600 × 900 JPEG of {len(original) // 1024} KB "
          "(ms to make, KB):")
    for fmt in ("webp", "jpeg"):
        cells = []
        for width in VARIANT_WIDTHS:
            times = []
            for _ in range(5):
                started = time.perf_counter()
                copy = render_variant(original, width, fmt)
                times.append((time.perf_counter() - started) * 1000)
            cells.append(f"{width}: {statistics.median(times):.0f} ms {len(copy) // 1024} KB")
        print(f"  {fmt}: " + ", ".join(cells))


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
        app, settings, embedded = media_app(instance)
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
        copies, copy_hits = [], []
        for n in range(30):
            path = media_path(key, f"{base}/{n}.png") + "?w=320"
            started = time.perf_counter()
            assert client.get(path, headers={"Accept": "image/webp"}).status_code == 200
            copies.append((time.perf_counter() - started) * 1000)
            for _ in range(5):
                started = time.perf_counter()
                client.get(path, headers={"Accept": "image/webp"}).get_data()
                copy_hits.append((time.perf_counter() - started) * 1000)
        print(f"320 px WebP copy of a cached 600 × 400 original: first p50 "
              f"{statistics.median(copies):.2f} ms; cache hit p50 "
              f"{statistics.median(copy_hits):.2f} ms, "
              f"p95 {statistics.quantiles(copy_hits, n=20)[18]:.2f} ms")
        embedded.stop()
    server.shutdown()


def hanging_host_costs() -> None:
    """Six image requests for a host that never answers, under real gunicorn."""
    import os
    import urllib.error
    import urllib.request

    from models import migrate
    from tests.hanging import hanging_host
    from tests.ops.servers import RedisServer, free_port
    from tests.processes import Gunicorn

    def get(url: str) -> tuple[int, float]:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        return status, time.perf_counter() - started

    with tempfile.TemporaryDirectory() as instance, RedisServer() as redis_server, \
            hanging_host() as (host, _received):
        database_url = f"sqlite:///{instance}/hopper.db"
        migrate.upgrade(database_url)
        env = dict(os.environ, HOPPER_INSTANCE=instance, SECRET_KEY="bench",
                   HOPPER_ALLOW_PRIVATE_NETWORKS="1", DATABASE_URL=database_url,
                   REDIS_URL=redis_server.url, PYTHONPATH=str(ROOT),
                   PROMETHEUS_MULTIPROC_DIR=f"{instance}/prometheus")
        port = free_port()
        site = f"http://127.0.0.1:{port}"
        key = derive_key("bench")
        with Gunicorn(env, port, workers=3) as server:
            server.wait_for_workers()
            for _ in range(6):
                get(site + "/healthz")
                get(site + "/")
            paths = [media_path(key, f"{host}/lead.jpg")] * 3 + [
                media_path(key, f"{host}/other-{n}.jpg") + "?w=320" for n in range(3)]
            answers: list[tuple[int, float]] = []
            readers = [threading.Thread(target=lambda p=p: answers.append(get(site + p)))
                       for p in paths]
            for reader in readers:
                reader.start()
            time.sleep(1.0)
            healthz = [get(site + "/healthz")[1] * 1000 for _ in range(10)]
            front = [get(site + "/")[1] * 1000 for _ in range(5)]
            for reader in readers:
                reader.join()
            again = get(site + paths[0])
        quick = sorted(elapsed for status, elapsed in answers if status == 503)
        waited = sorted(elapsed for status, elapsed in answers if status != 503)
        print("hanging publisher, gunicorn 3 sync workers, 6 image requests in flight:")
        print(f"  /healthz meanwhile: p50 {statistics.median(healthz):.0f} ms, "
              f"max {max(healthz):.0f} ms; front page p50 {statistics.median(front):.0f} ms")
        print(f"  {len(quick)} requests got the placeholder in "
              f"{', '.join(f'{t:.2f}' for t in quick)} s; {len(waited)} waited on the host "
              f"{', '.join(f'{t:.1f}' for t in waited)} s (the fetch deadline)")
        print(f"  the same image again (failure remembered): HTTP {again[0]} in "
              f"{again[1] * 1000:.0f} ms")


if __name__ == "__main__":
    page_costs()
    variant_costs()
    proxy_costs()
    hanging_host_costs()
