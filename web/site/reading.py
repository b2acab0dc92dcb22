"""What the reader's templates say about an article beyond its fields: the publisher's
domain, a standfirst that never repeats the body, reading time, and short text.

Registered as Jinja filters and globals in web/templating.py; all shortening goes
through hopper.text.shorten (word boundary, ellipsis)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hopper.text import is_opening_of, plain_text, reading_minutes, shorten
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
    """The feed's own summary, shortened; empty when it only repeats the body's opening."""
    summary = plain_text(article.shown_summary)
    if not summary:
        return ""
    body = article.shown_body_html
    if body and is_opening_of(summary, plain_text(body)):
        return ""
    return shorten(summary, length)


def short_text(markup: str | None, length: int) -> str:
    """Text of `markup` shortened at a word boundary with an ellipsis (for cards)."""
    return shorten(plain_text(markup or ""), length)


def minutes_to_read(article: Article) -> int:
    """Reading time of the text the reader is shown; 0 when only a summary is known."""
    return reading_minutes(article.shown_body_html or "")



# What may stand between an outlet's name and its headline: "Name: …", "Name | …",
# "Name — …", their full-width forms in CJK headlines, and a hyphen with a space before
# it ("Name - …", but not "Reuters-backed study: …").
_NAME_SEPARATORS = r"(?:\s*[:：|｜]|\s+[-—–·•]|\s*[—–])\s*"


def _name_pattern(name: str) -> str | None:
    """`name` as a pattern that ignores case and the punctuation between its words."""
    words = re.findall(r"\w+", name)
    return r"[\W_]*".join(re.escape(word) for word in words) if words else None


def headline_beside_outlet(title: str | None, outlet: str | None) -> str:
    """`title` as shown next to its outlet's name (coverage lists, "Also covered by"):
    without the outlet's name where the headline opens with it ("Pacific Chronicle:
    Harbour bridge reopens") or closes with it, Google-News style ("Harbour bridge
    reopens - Pacific Chronicle"), so the name is not read twice. A name that is part of
    the sentence ("Pacific Chronicle wins award") stays; so does a headline that would be
    left empty."""
    title = title or ""
    pattern = _name_pattern(outlet or "")
    if not title or pattern is None:
        return title
    for shape in (rf"^\W*{pattern}{_NAME_SEPARATORS}(?P<rest>.*\w.*)$",
                  rf"^(?P<rest>.*\w.*?)\s+[-|—–·•｜]\s*{pattern}\W*$"):
        found = re.match(shape, title, flags=re.IGNORECASE | re.DOTALL)
        if found:
            return found.group("rest").strip()
    return title


def coverage_headline(article: Article) -> str:
    """An article's headline in a list that names its outlet beside it; "Untitled" when
    it has none."""
    return headline_beside_outlet(article.title, article.source.name) or "Untitled"
