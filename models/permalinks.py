"""An article's public address on this site: `/article/<id>-<slug>` (DESIGN.md, URL map).

The id finds the article; the slug only makes the address readable, so a retitled
article keeps working under its old address.
"""

from __future__ import annotations

import re
import unicodedata

from models.articles import Article

MAX_SLUG_CHARS = 80
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by hyphens; "article" when nothing is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NOT_WORD.sub("-", ascii_title.lower()).strip("-")
    slug = slug[:MAX_SLUG_CHARS].rstrip("-")
    return slug or "article"


def article_path(article: Article) -> str:
    return article_path_for(article.id, article.title or "")


def article_path_for(article_id: int, title: str) -> str:
    """The same address from the two columns it needs (for listings that load no rows)."""
    return f"/article/{article_id}-{slugify(title)}"
