"""Discussion: comments under articles, edits within the window, reports, and the
Discussion page listing the liveliest threads of the last week."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from models import comments
from models.articles import Article
from models.base import utcnow
from models.comments import Comment
from web.cache import content_changed
from web.community.access import member_key, signed_in_required, too_many_requests
from web.community.forms import CommentForm, ReportForm
from web.community.links import return_target
from web.community.rendering import render_comment
from web.extensions import client_key, db_session, limiter

bp = Blueprint("comments", __name__)
# Not the sign-in forms' "Too many attempts" page, which speaks of protecting accounts:
# say which action is paused (web/community/access.py).
bp.register_error_handler(429, too_many_requests)

LIVELY_WINDOW = timedelta(days=7)
COMMENT_RATE_LIMIT = "5 per minute"
# Posting and editing both change what every reader sees, and each turns the whole page
# cache over (content_changed): one budget for both, per reader, or a script editing one
# comment in a loop would keep every page uncached.
_limit_comment_writes = limiter.shared_limit(COMMENT_RATE_LIMIT, scope="comment-writes",
                                             key_func=member_key, methods=["POST"])
# Each report writes a row and lengthens the moderators' queue; one per comment per reader,
# but a script could report every comment on the site. Per reader, and per client (the
# address, an IPv6 client's /64) so that a handful of accounts from one place gain little.
REPORT_PER_READER = "10 per minute; 100 per day"
REPORT_PER_CLIENT = "30 per minute; 300 per day"
_limit_reports = limiter.shared_limit(REPORT_PER_READER, scope="comment-reports",
                                      key_func=member_key, methods=["POST"])
_limit_reports_per_client = limiter.shared_limit(REPORT_PER_CLIENT,
                                                 scope="comment-reports-client",
                                                 key_func=client_key, methods=["POST"])


def for_article(session: Session, article_id: int) -> list[Comment]:
    """The visible comments under an article, oldest first (for the article page)."""
    return comments.visible_for_article(session, article_id)


def is_editable_now(comment: Comment) -> bool:
    return (current_user.is_authenticated
            and comment.is_editable_by(current_user.id, utcnow()))


def author_label(comment: Comment) -> str:
    """What a comment is signed with: the reader's display name, else a pseudonym that is
    the same on every comment of one reader and reveals nothing of their id (ids are
    sequential: they would tell how many accounts exist and who came when). Keyed on
    SECRET_KEY, so a new key gives every reader a new pseudonym."""
    if comment.user.display_name:
        return comment.user.display_name
    digest = hmac.new(str(current_app.config["SECRET_KEY"]).encode(),
                      f"hopper.reader-label\0{comment.user_id}".encode(), hashlib.sha256)
    return f"Reader {digest.hexdigest()[:8]}"


def _article_or_404(article_id: int) -> Article:
    article = db_session().get(Article, article_id)
    if article is None:
        abort(404)
    return article


def _comment_or_404(comment_id: int) -> Comment:
    comment = comments.by_id(db_session(), comment_id)
    if comment is None or (comment.is_hidden and not current_user.is_admin):
        abort(404)
    return comment


@bp.get("/discussion")
def discussion() -> str:
    threads = comments.liveliest_threads(db_session(), utcnow() - LIVELY_WINDOW)
    return render_template("community/discussion.html", threads=threads)


@bp.get("/discussion/<int:article_id>")
def thread(article_id: int) -> str:
    article = _article_or_404(article_id)
    return render_template(
        "community/thread.html", article=article,
        comments=for_article(db_session(), article.id),
        comment_form=CommentForm())


@bp.post("/discussion/<int:article_id>/comments")
@_limit_comment_writes
@signed_in_required
def post_comment(article_id: int) -> Response | tuple[str, int]:
    article = _article_or_404(article_id)
    if not current_user.is_verified:
        return render_template("community/refused.html",
                               message="Please verify your email address before "
                                       "commenting."), 403
    form = CommentForm()
    if not form.validate_on_submit():
        return render_template("community/thread.html", article=article,
                               comments=for_article(db_session(), article.id),
                               comment_form=form), 400
    body = form.body.data or ""
    comment = comments.add(db_session(), article_id=article.id, user_id=current_user.id,
                           body=body, body_html=render_comment(body), now=utcnow())
    db_session().commit()
    content_changed()
    default = url_for("comments.thread", article_id=article.id)
    return redirect(return_target(default) + f"#comment-{comment.id}")


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@_limit_comment_writes
@signed_in_required
def edit(comment_id: int) -> Response | str | tuple[str, int]:
    comment = _comment_or_404(comment_id)
    if comment.user_id != current_user.id:
        abort(403)
    if not comment.is_editable_by(current_user.id, utcnow()):
        return render_template("community/refused.html",
                               message="Comments can be edited for 15 minutes after "
                                       "posting; this one can no longer be changed."), 403
    form = CommentForm(body=comment.body)
    if form.validate_on_submit():
        body = form.body.data or ""
        comments.edit(comment, body=body, body_html=render_comment(body), now=utcnow())
        db_session().commit()
        content_changed()
        default = url_for("comments.thread", article_id=comment.article_id)
        return redirect(return_target(default) + f"#comment-{comment.id}")
    status = 400 if form.is_submitted() else 200
    return render_template("community/edit_comment.html", comment=comment, form=form), status


@bp.post("/comments/<int:comment_id>/report")
@_limit_reports_per_client
@_limit_reports
@signed_in_required
def report(comment_id: int) -> Response | tuple[str, int]:
    comment = _comment_or_404(comment_id)
    if not current_user.is_verified:
        # An address anyone may type costs nothing: sign-ups by the dozen would otherwise
        # each get a report budget, and reports order the moderators' queue.
        return render_template("community/refused.html",
                               message="Please verify your email address before "
                                       "reporting comments."), 403
    form = ReportForm()
    if not form.validate_on_submit():
        abort(400)
    if comments.report(db_session(), comment, current_user.id, form.reason.data or ""):
        flash("Thank you: the moderators will look at this comment.")
    else:
        flash("You have already reported this comment.")
    db_session().commit()
    return redirect(return_target(url_for("comments.thread",
                                          article_id=comment.article_id)))
