"""Where community pages point: sign-in and safe return targets (article addresses come
from models.permalinks, through the site's `article_path` template global)."""

from __future__ import annotations

from flask import current_app, request, url_for

from web.auth.redirects import safe_next


def sign_in_url() -> str | None:
    if "auth.login" not in current_app.view_functions:
        return None
    return url_for("auth.login", next=request.full_path.rstrip("?"))


def return_target(default: str) -> str:
    """The form's `next` field if it stays on this site, else `default`."""
    return safe_next(request.form.get("next"), default)
