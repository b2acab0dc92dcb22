"""Admin › Comments: reported and recent comments; hide, unhide, delete.

The comment functions in `models.comments` keep `Article.comment_count` in step in
the same transaction.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from models import comments
from models.comments import Comment
from web.admin.forms import ActionForm
from web.admin.views import bp
from web.auth.guards import admin_required
from web.cache import content_changed
from web.extensions import db_session


@bp.get("/comments")
@admin_required
def comments_index() -> str:
    session = db_session()
    return render_template("admin/comments.html", reported=comments.reported(session),
                           recent=comments.recent(session), action_form=ActionForm())


def _comment(comment_id: int) -> Comment:
    comment = comments.by_id(db_session(), comment_id)
    if comment is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return comment


def _done(message: str) -> Response:
    content_changed()           # the comment leaves (or returns to) cached pages at once
    flash(message)
    return redirect(url_for("admin.comments_index"))


@bp.post("/comments/<int:comment_id>/hide")
@admin_required
def hide_comment(comment_id: int) -> Response:
    comments.set_hidden(db_session(), _comment(comment_id), True)
    db_session().commit()
    return _done("Comment hidden.")


@bp.post("/comments/<int:comment_id>/unhide")
@admin_required
def unhide_comment(comment_id: int) -> Response:
    comments.set_hidden(db_session(), _comment(comment_id), False)
    db_session().commit()
    return _done("Comment visible again.")


@bp.post("/comments/<int:comment_id>/delete")
@admin_required
def delete_comment(comment_id: int) -> Response:
    comments.delete_comment(db_session(), _comment(comment_id))
    db_session().commit()
    return _done("Comment deleted.")
