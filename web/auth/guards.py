"""Who may see a view: `login_required` (Flask-Login's) and `admin_required`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from web.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["admin_required", "login_required"]


def admin_required(view: F) -> F:
    """Anonymous visitors are sent to sign in; signed-in readers who are not admins get 403."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded   # type: ignore[return-value]
