"""What the reader's templates say about an article beyond its fields: the publisher's
domain, a standfirst that never repeats the body, reading time, and short text.

Registered as Jinja filters and globals in web/templating.py; all shortening goes
through hopper.text.shorten (word boundary, ellipsis)."""

from __future__ import annotations

from urllib.parse import urlsplit

from hopper.text import is_opening_of, plain_text, reading_minutes, shorten, without_outlet
from models.articles import Article


def domain_of(url: str | None) -> str:
    """The host a link leads to, as a reader would write it ("bbc.co.uk")."""
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.")


def publisher_domain(article: Article) -> str:
    """Where the original lives: the article's own link, else its source's site."""
    return domain_of(article.url) or domain_of(article.source.site_url) or domain_of(
        article.source.url)


def standfirst(article: Article, length: int = 300) -> str:
    """The feed's own summary, shortened; empty when it only repeats the body's opening.
    A summary is stored as text (workers/ingest/steps/clean.py): "if x<y and y>z" is
    what it says, no markup to strip."""
    summary = " ".join(article.shown_summary.split())
    if not summary:
        return ""
    body = article.shown_body_html
    if body and is_opening_of(summary, plain_text(body)):
        return ""
    return shorten(summary, length)


def minutes_to_read(article: Article) -> int:
    """Reading time of the text the reader is shown; 0 when only a summary is known."""
    return reading_minutes(article.shown_body_html or "")


def coverage_headline(article: Article) -> str:
    """An article's headline in a list that names its outlet beside it, without the
    outlet's credit (read once is enough); "Untitled" when it has none."""
    return without_outlet(article.title or "", article.source.name or "") or "Untitled"
