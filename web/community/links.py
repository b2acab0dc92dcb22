"""Where community pages point: article pages, sign-in, and safe return targets."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from models.articles import Article


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "article"


def article_path(article: Article) -> str:
    """DESIGN.md's article URL, `/article/<id>-<slug>`."""
    return f"/article/{article.id}-{slugify(article.title)}"


def sign_in_url() -> str | None:
    if "auth.login" not in current_app.view_functions:
        return None
    return url_for("auth.login", next=request.full_path.rstrip("?"))


def is_local_path(target: str) -> bool:
    """Only a path on this site: no scheme, no host, no `//` or `/\\` tricks."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def return_target(default: str) -> str:
    """The form's `next` field if it stays on this site, else `default`."""
    target = request.form.get("next", "")
    return target if is_local_path(target) else default
