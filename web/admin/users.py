"""Admin › Users: make or unmake admins, suspend and unsuspend.

The site must keep an admin: the last active admin can be neither demoted nor
suspended (so an admin cannot lock everyone out by acting on themselves).
A suspension signs the user out at once and for good: `models.users.by_session_id`
refuses suspended users on their very next request, and the suspension replaces the
user's session secret, so unsuspending does not bring the old sessions back.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from models import users
from models.users import User
from web.admin.forms import ActionForm
from web.admin.views import bp
from web.auth.guards import admin_required
from web.extensions import db_session


@bp.get("/users")
@admin_required
def users_index() -> str:
    return render_template("admin/users.html", users=users.listing(db_session()),
                           action_form=ActionForm())


def _target(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return user


def _is_last_admin(user: User) -> bool:
    return (user.is_admin and not user.is_suspended
            and users.count_active_admins(db_session()) <= 1)


def _done(message: str) -> Response:
    flash(message)
    return redirect(url_for("admin.users_index"))


@bp.post("/users/<int:user_id>/promote")
@admin_required
def promote_user(user_id: int) -> Response:
    user = _target(user_id)
    user.is_admin = True
    db_session().commit()
    return _done(f"{user.email} is now an admin.")


@bp.post("/users/<int:user_id>/demote")
@admin_required
def demote_user(user_id: int) -> Response:
    user = _target(user_id)
    if _is_last_admin(user):
        return _done("The last admin cannot be demoted; make someone else admin first.")
    user.is_admin = False
    db_session().commit()
    return _done(f"{user.email} is no longer an admin.")


@bp.post("/users/<int:user_id>/suspend")
@admin_required
def suspend_user(user_id: int) -> Response:
    user = _target(user_id)
    if _is_last_admin(user):
        return _done("The last admin cannot be suspended.")
    user.is_suspended = True
    users.end_every_session(user)   # unsuspending later must not revive old sessions
    db_session().commit()
    return _done(f"{user.email} is suspended and signed out.")


@bp.post("/users/<int:user_id>/unsuspend")
@admin_required
def unsuspend_user(user_id: int) -> Response:
    user = _target(user_id)
    user.is_suspended = False
    db_session().commit()
    return _done(f"{user.email} may sign in again.")
