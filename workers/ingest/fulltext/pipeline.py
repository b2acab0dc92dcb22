"""Full text for summary-only feeds: fetch the article page, extract its main text.

    wants_full_text (decide) | fetch_article_page (robots.txt, guarded client) |
    extract_main_text (trafilatura, precision; sanitised) | FullTextResult

Network and CPU only: the `workers.fetch_full_text` task reads the job and writes the
result through models.full_text, on its own queue, after the poll that stored the article
committed. A failure keeps the feed's summary and is shown on the source's health row.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.full_text import FullTextJob
from models.sources import FullText
from workers.ingest.cleaning.sanitise import plain_text
from workers.ingest.errors import IngestError
from workers.ingest.fulltext.extract import extract_main_text, page_reuse_signals
from workers.ingest.fulltext.pages import RobotsCache, fetch_article_page
from workers.ingest.steps.fetch import FeedClient

# `auto`: a feed body with less text than this is a summary, worth the article page.
SHORT_BODY_CHARS = 600


@dataclass(frozen=True, slots=True)
class FullTextResult:
    article_id: int
    source_id: int
    html: str | None                 # the page's main text, when it says more than the feed
    error: str | None                # why there is none, for the health row
    signals: tuple[str, ...] = ()    # reuse signals seen on the way (suggestions)


def wants_full_text(mode: str, body_html: str) -> bool:
    if mode == FullText.ON.value:
        return True
    if mode == FullText.AUTO.value:
        return len(plain_text(body_html)) < SHORT_BODY_CHARS
    return False


def fetch_full_text(job: FullTextJob, *, http: FeedClient, robots: RobotsCache
                    ) -> FullTextResult:
    try:
        page = fetch_article_page(http, job.url, robots=robots)
    except IngestError as error:
        return FullTextResult(job.article_id, job.source_id, None, error.reason)
    signals = (*page_reuse_signals(page.html, page.headers),
               *(f"robots.txt License: {line}" for line in page.license_lines))
    html = extract_main_text(page.html, page.url)
    if not html:
        return FullTextResult(job.article_id, job.source_id, None,
                              f"no main text found on {page.url}", signals)
    if len(plain_text(html)) <= len(plain_text(job.body_html)):
        # The feed already says as much: keep it; nothing failed.
        return FullTextResult(job.article_id, job.source_id, None, None, signals)
    return FullTextResult(job.article_id, job.source_id, html, None, signals)
