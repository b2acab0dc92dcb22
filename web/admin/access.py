"""Admins only: the one check every admin route and action goes through.

Anonymous visitors are asked to sign in (redirect, or 401 without a sign-in page);
signed-in readers who are not admins get 403. The blueprint also runs the check
before every request, so a route that forgot the decorator is still guarded.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from web.community.access import ask_to_sign_in

View = TypeVar("View", bound=Callable[..., Any])


def refuse_non_admins() -> Response | None:
    """None for an admin; otherwise the answer to give instead of the page."""
    if not current_user.is_authenticated:
        return ask_to_sign_in()
    if not current_user.is_admin:
        abort(403)
    return None


def admin_required(view: View) -> View:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        refusal = refuse_non_admins()
        if refusal is not None:
            return refusal
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]
