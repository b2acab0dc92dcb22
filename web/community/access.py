"""Who may use community actions: signed-in readers; commenting and reporting need a
verified email."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import abort, current_app, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from web.extensions import client_key, login_manager

View = TypeVar("View", bound=Callable[..., Any])


def ask_to_sign_in() -> Response | NoReturn:
    """Redirect to the sign-in page when the site has one, else 401."""
    if "auth.login" in current_app.view_functions:
        response: Response = login_manager.unauthorized()
        return response
    abort(401)


def signed_in_required(view: View) -> View:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return ask_to_sign_in()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def member_key() -> str:
    """Rate limits of community actions count per signed-in reader (per client, an IPv6
    client's /64, for anyone else)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{client_key()}"


# What a rate-limited community action says (the 429 page), by endpoint's view.
PAUSED_ACTIONS = {
    "comments.report": "You have reported many comments in a short while. Thank you: the "
                       "moderators have your reports. Please wait a few minutes before "
                       "reporting more.",
    "comments.post_comment": "You have posted or edited several comments in the last "
                             "minute. Please wait a minute and try again.",
    "comments.edit": "You have posted or edited several comments in the last minute. "
                     "Please wait a minute and try again.",
}
PAUSED_PLAYLISTS = ("You have changed your playlists many times in a short while. "
                    "Please wait a few minutes and try again.")


def too_many_requests(_error: Exception) -> tuple[str, int]:
    """The 429 page of community actions (Flask-Limiter adds Retry-After)."""
    message = PAUSED_ACTIONS.get(request.endpoint or "", PAUSED_PLAYLISTS)
    return render_template("community/refused.html", title="Please slow down",
                           message=message), 429
