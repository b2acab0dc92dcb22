"""Parse + clean throughput: feedparser alone vs Hopper's parse_feed + clean_entries.

    .venv/bin/python bench/parse.py [--rounds N]

Feeds are generated: a mix of RSS 2.0, Atom 1.0, RSS 1.0 (RDF) and JSON Feed 1.1, 30
entries each with ~2 KB of realistic HTML (paragraphs, links, a figure with srcset, a
list, a tracking pixel), and one 10,000-entry RSS 2.0 feed. Each scenario runs in its own
process so its peak RSS (ru_maxrss) is its own. Prints entries/s (best of N rounds).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FEEDS_PER_FORMAT = 25
ENTRIES_PER_FEED = 30
BIG_FEED_ENTRIES = 10_000
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def article_html(n: int) -> str:
    return (
        f"<p>The council met on Tuesday to discuss item {n}: the harbour wall, the winter "
        f"market and the <a href=\"/news/{n}/parking\">new parking rules</a>. Residents "
        f"asked for <strong>clear answers</strong> and got a few of them.</p>"
        f"<figure><img src=\"/uploads/2026/11/photo-{n}-1024x683.jpg\" alt=\"Photo {n}\" "
        f"width=\"1024\" height=\"683\" srcset=\"/uploads/2026/11/photo-{n}-1024x683.jpg "
        f"1024w, /uploads/2026/11/photo-{n}-300x200.jpg 300w\" sizes=\"(max-width: 1024px) "
        f"100vw, 1024px\"><figcaption>The meeting hall, {n}</figcaption></figure>"
        f"<p>According to the minutes, the wall repairs will start in spring and take about "
        f"six weeks. During that time the <em>east pier</em> stays closed to cars, but "
        f"pedestrians can still use it. The market moves to the square.</p>"
        f"<h2>What changes</h2><ul><li>Parking on Harbour Street: residents only</li>"
        f"<li>Market: Saturdays 8–14 on the square</li><li>Ferry: unchanged</li></ul>"
        f"<blockquote><p>We want the work done before the summer season.</p></blockquote>"
        f"<p>Read the <a href=\"https://council.example/minutes/{n}.pdf\">full minutes</a> "
        f"or the <a href=\"/tags/harbour\">harbour</a> archive. Comments are open until "
        f"Friday; the next meeting is on the first Tuesday of next month.</p>"
        f"<p>Posted in <a href=\"/category/local\">Local</a>. Photo: staff.</p>"
        f"<img src=\"https://stats.example/pixel.gif?p={n}\" width=\"1\" height=\"1\">")


def _date(n: int) -> datetime:
    return NOW - timedelta(minutes=37 * n)


def rss20(feed: int, count: int = ENTRIES_PER_FEED) -> bytes:
    items = "".join(
        f"<item><title>Council meeting {feed}-{n} &amp; the harbour wall</title>"
        f"<link>https://site{feed}.example/news/{n}</link>"
        f"<guid isPermaLink=\"false\">https://site{feed}.example/?p={n}</guid>"
        f"<pubDate>{_date(n).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<dc:creator>Reporter {n % 7}</dc:creator><category>Local</category>"
        f"<category>Harbour</category><description>{escape(article_html(n)[:300])}"
        f"</description><content:encoded><![CDATA[{article_html(n)}]]></content:encoded>"
        f"</item>" for n in range(count))
    return (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" "
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
        f"<title>Site {feed}</title><link>https://site{feed}.example/</link>"
        f"<description>News</description>{items}</channel></rss>").encode()


def atom10(feed: int) -> bytes:
    entries = "".join(
        f"<entry><title type=\"html\">Council meeting {feed}-{n} &amp;amp; the wall</title>"
        f"<link href=\"https://atom{feed}.example/posts/{n}\"/>"
        f"<id>tag:atom{feed}.example,2026:{n}</id>"
        f"<published>{_date(n).isoformat()}</published>"
        f"<updated>{_date(n).isoformat()}</updated><author><name>Writer {n % 5}</name>"
        f"</author><category term=\"local\"/><summary>Short summary {n}</summary>"
        f"<content type=\"html\">{escape(article_html(n))}</content></entry>"
        for n in range(ENTRIES_PER_FEED))
    return (
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        f"<title>Atom {feed}</title><link href=\"https://atom{feed}.example/\"/>"
        f"<id>tag:atom{feed}.example,2026:feed</id><updated>{NOW.isoformat()}</updated>"
        f"{entries}</feed>").encode()


def rdf(feed: int) -> bytes:
    items = "".join(
        f"<item rdf:about=\"https://rdf{feed}.example/n/{n}\"><title>Note {feed}-{n}</title>"
        f"<link>https://rdf{feed}.example/n/{n}</link>"
        f"<description>{escape(article_html(n))}</description>"
        f"<dc:date>{_date(n).isoformat()}</dc:date><dc:subject>Science</dc:subject></item>"
        for n in range(ENTRIES_PER_FEED))
    return (
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rdf:RDF "
        "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
        "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
        f"<channel rdf:about=\"https://rdf{feed}.example/\"><title>RDF {feed}</title>"
        f"<link>https://rdf{feed}.example/</link><description>d</description></channel>"
        f"{items}</rdf:RDF>").encode()


def json11(feed: int) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": f"JSON {feed}",
        "home_page_url": f"https://json{feed}.example/",
        "items": [{"id": f"j-{feed}-{n}", "url": f"https://json{feed}.example/p/{n}",
                   "title": f"Item {feed}-{n}", "content_html": article_html(n),
                   "date_published": _date(n).isoformat(), "tags": ["Local"],
                   "authors": [{"name": f"Author {n % 3}"}]}
                  for n in range(ENTRIES_PER_FEED)]}).encode()


def mixed_feeds(*, with_json: bool) -> list[tuple[str, bytes]]:
    makers = [rss20, atom10, rdf, *([json11] if with_json else [])]
    return [(f"https://feeds.example/{maker.__name__}/{i}", maker(i))
            for i in range(FEEDS_PER_FORMAT) for maker in makers]


# -- scenarios (each runs in a child process) -----------------------------------------------

def run_feedparser(feeds: list[tuple[str, bytes]]) -> int:
    import feedparser
    return sum(len(feedparser.parse(content, response_headers={
        "content-location": url, "content-type": "application/xml"}).entries)
        for url, content in feeds)


def run_hopper(feeds: list[tuple[str, bytes]]) -> int:
    from workers.ingest.steps.clean import clean_entries
    from workers.ingest.steps.parse import parse_feed
    total = 0
    for url, content in feeds:
        feed = parse_feed(content, {"content-type": "application/xml"}, url)
        total += len(clean_entries(feed, base_url=url, now=NOW))
    return total


def run_hopper_parse_only(feeds: list[tuple[str, bytes]]) -> int:
    from workers.ingest.steps.parse import parse_feed
    return sum(len(parse_feed(content, {}, url).entries) for url, content in feeds)


def run_hopper_fallback(feeds: list[tuple[str, bytes]]) -> int:
    """The feedparser fallback path alone (what a broken feed costs), then clean."""
    from workers.ingest.parsing.charset import decode_document
    from workers.ingest.parsing.lenient import read_leniently
    from workers.ingest.steps.clean import clean_entries
    total = 0
    for url, content in feeds:
        feed, _ = read_leniently(decode_document(content, {}).text.split("?>", 1)[1], url)
        total += len(clean_entries(feed, base_url=url, now=NOW))
    return total


SCENARIOS = {
    "feedparser only, mixed XML": (run_feedparser, "xml"),
    "parse_feed + clean_entries, mixed XML": (run_hopper, "xml"),
    "parse_feed + clean_entries, mixed XML + JSON": (run_hopper, "mixed"),
    "parse_feed only, mixed XML": (run_hopper_parse_only, "xml"),
    "feedparser fallback path + clean, mixed XML": (run_hopper_fallback, "xml"),
    "feedparser only, 10,000-entry feed": (run_feedparser, "big"),
    "parse_feed + clean_entries, 10,000-entry feed": (run_hopper, "big"),
}


def corpus(name: str) -> list[tuple[str, bytes]]:
    if name == "big":
        return [("https://big.example/feed", rss20(0, BIG_FEED_ENTRIES))]
    return mixed_feeds(with_json=name == "mixed")


def child(scenario: str, rounds: int) -> None:
    run, corpus_name = SCENARIOS[scenario]
    feeds = corpus(corpus_name)
    best = best_wall = float("inf")
    entries = 0
    for _ in range(rounds):
        started, started_wall = time.process_time(), time.perf_counter()
        entries = run(feeds)
        best = min(best, time.process_time() - started)
        best_wall = min(best_wall, time.perf_counter() - started_wall)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mib = sum(len(c) for _, c in feeds) / 2**20
    print(json.dumps({"entries": entries, "seconds": best, "wall": best_wall,
                      "peak_mib": peak_mib,
                      "input_mib": size_mib}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rounds)
        return
    print("entries/s per CPU second (process_time: other processes on a shared machine do "
          "not count)\nand per wall-clock second, best of each\n")
    print(f"{'scenario':<48} {'entries':>8} {'CPU e/s':>9} {'wall e/s':>9} {'peak RSS':>10} "
          f"{'input':>8}")
    rates: dict[str, float] = {}
    for scenario in SCENARIOS:
        output = subprocess.run([sys.executable, __file__, "--child", scenario, "--rounds",
                                 str(args.rounds)], capture_output=True, text=True,
                                check=True).stdout
        result = json.loads(output)
        rates[scenario] = result["entries"] / result["seconds"]
        print(f"{scenario:<48} {result['entries']:>8} {rates[scenario]:>9,.0f} "
              f"{result['entries'] / result['wall']:>9,.0f} "
              f"{result['peak_mib']:>6.0f} MiB {result['input_mib']:>5.1f} MiB")
    mixed = rates["parse_feed + clean_entries, mixed XML"] / rates["feedparser only, mixed XML"]
    big = (rates["parse_feed + clean_entries, 10,000-entry feed"]
           / rates["feedparser only, 10,000-entry feed"])
    print(f"\nspeed-up over feedparser alone: {mixed:.1f}x (mixed), {big:.1f}x (10,000 entries)")


if __name__ == "__main__":
    main()
