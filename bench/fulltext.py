"""Benchmark full text for summary-only feeds: pages per second and extraction quality.

    .venv/bin/python bench/fulltext.py [--rounds N]

Serves the saved real article pages of tests/data/articles/ (see its README) from a
loopback HTTP server and runs the production step, `workers.ingest.fulltext.pipeline.
fetch_full_text` (robots.txt once per origin, the guarded client, trafilatura in
precision mode, nh3), over every page N times. Prints:
- pages per second, end to end in one thread, and for extraction + sanitising alone;
- per page: precision, recall and F1 of the extracted words against the expected text
  (the article-extraction-benchmark's measure), and the mean F1.
Timings are noisy on a shared machine: compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hopper.settings import Limits  # noqa: E402
from models.full_text import FullTextJob  # noqa: E402
from tests.workers.ingest.articles import quality, saved_pages  # noqa: E402
from workers.ingest.cleaning.sanitise import plain_text  # noqa: E402
from workers.ingest.fulltext.extract import extract_main_text  # noqa: E402
from workers.ingest.fulltext.pages import RobotsCache  # noqa: E402
from workers.ingest.fulltext.pipeline import fetch_full_text  # noqa: E402
from workers.ingest.steps.fetch import FeedClient, FetchOptions, user_agent  # noqa: E402

PAGES = saved_pages()
BODIES = {f"/{page.name}": page.html for page in PAGES}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        else:
            body, kind = BODIES.get(self.path.split("?")[0], b""), "text/html; charset=utf-8"
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    http = FeedClient(FetchOptions(limits=Limits(), allow_private_networks=True,
                                   user_agent=user_agent("http://bench.test")))
    robots = RobotsCache()
    try:
        started = time.perf_counter()
        results = {}
        for round_ in range(rounds):
            for page in PAGES:
                job = FullTextJob(article_id=1, source_id=1,
                                  url=f"{base}/{page.name}?r={round_}", mode="on",
                                  body_html="<p>summary</p>")
                results[page.name] = fetch_full_text(job, http=http, robots=robots)
        end_to_end = rounds * len(PAGES) / (time.perf_counter() - started)
        texts = {page.name: page.html.decode("utf-8", "replace") for page in PAGES}
        started = time.perf_counter()
        for _ in range(rounds):
            for page in PAGES:
                extract_main_text(texts[page.name], page.url)
        extract_only = rounds * len(PAGES) / (time.perf_counter() - started)
    finally:
        http.close()
        server.shutdown()
    print(f"{len(PAGES)} saved real pages x {rounds} rounds")
    print(f"end to end (robots.txt, loopback fetch, extract, sanitise): "
          f"{end_to_end:.1f} pages/s in one thread")
    print(f"extract + sanitise alone: {extract_only:.1f} pages/s")
    scores = []
    for page in PAGES:
        html = results[page.name].html or ""
        measured = quality(plain_text(html), page.expected_text)
        scores.append(measured.f1)
        print(f"  {page.name:<14} precision {measured.precision:.3f}  "
              f"recall {measured.recall:.3f}  F1 {measured.f1:.3f}")
    print(f"mean F1 {sum(scores) / len(scores):.3f}")


if __name__ == "__main__":
    main()
