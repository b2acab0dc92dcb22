"""Who may see a view: `login_required` (Flask-Login's) and `admin_required`, the one
admin check every admin route and action goes through."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from web.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["admin_required", "login_required", "refuse_non_admins"]


def refuse_non_admins() -> Response | None:
    """None for an admin; otherwise the answer to give instead of the page: anonymous
    visitors are sent to sign in, signed-in readers who are not admins get 403."""
    if not current_user.is_authenticated:
        refusal: Response = login_manager.unauthorized()
        return refusal
    if not current_user.is_admin:
        abort(403)
    return None


def admin_required(view: F) -> F:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        refusal = refuse_non_admins()
        if refusal is not None:
            return refusal
        return view(*args, **kwargs)

    return guarded   # type: ignore[return-value]
