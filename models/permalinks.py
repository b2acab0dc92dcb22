"""An article's public address on this site: `/article/<id>-<slug>`
(docs/architecture.md, "URL map").

The one slug rule every area uses (the article page, cards, feeds, sitemap, API,
community pages). The id finds the article; the slug only makes the address readable,
so a retitled article keeps working under its old address. ASCII words when the title
folds to them, else the title's own letters (Cyrillic, Arabic… stay readable,
percent-encoded in the URL).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol
from urllib.parse import quote

MAX_SLUG_CHARS = 80


def slugify(title: str) -> str:
    """Lower-case words joined by hyphens; "article" when the title has no words."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower()) or re.findall(r"\w+", title.lower())
    slug = "-".join(words)[:MAX_SLUG_CHARS].strip("-_")
    return slug or "article"


class Titled(Protocol):
    """What an address is made of (an `Article`; this module imports no model, so that
    models.articles can import `slugify` from here)."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str | None: ...


def article_path(article: Titled) -> str:
    return article_path_for(article.id, article.title or "")


def article_path_for(article_id: int, title: str) -> str:
    """The same address from the two columns it needs (for listings that load no rows)."""
    return f"/article/{article_id}-{quote(slugify(title))}"
