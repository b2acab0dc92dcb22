"""Playlists: a signed-in reader saves articles and videos into named lists.

Every action looks the playlist up by id *and* owner, so another reader's playlist is
simply not found (404), private or not. Public playlists are shared at `/p/<token>`.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import playlists
from models.articles import Article
from models.playlists import Playlist, PlaylistFull, PlaylistSummary
from web.community.access import member_key, signed_in_required, too_many_requests
from web.community.forms import (
    ActionForm,
    PlaylistNameForm,
    SaveForm,
    VisibilityForm,
)
from web.community.links import return_target
from web.extensions import db_session, limiter

bp = Blueprint("playlists", __name__)
bp.register_error_handler(429, too_many_requests)   # says which action is paused

# Every playlist change writes rows (on SQLite, under the one write lock every poll
# waits for): a reader clicks a few times a minute, a script thousands. One budget for
# all of them (a shared scope), per reader.
WRITE_RATE_LIMIT = "30 per minute; 500 per day"
_limit_writes = limiter.shared_limit(WRITE_RATE_LIMIT, scope="playlist-writes",
                                     key_func=member_key)


def my_playlists() -> list[PlaylistSummary]:
    """The signed-in reader's playlists, queried once per request (cards call this)."""
    if not current_user.is_authenticated:
        return []
    if "my_playlists" not in g:
        g.my_playlists = playlists.for_user(db_session(), current_user.id)
    found: list[PlaylistSummary] = g.my_playlists
    return found


def _owned_or_404(playlist_id: int) -> Playlist:
    playlist = playlists.owned(db_session(), playlist_id, current_user.id)
    if playlist is None:
        abort(404)
    return playlist


def _to_playlist(playlist_id: int) -> Response:
    return redirect(url_for("playlists.show", playlist_id=playlist_id))


@bp.get("/playlists")
@signed_in_required
def index() -> str:
    return render_template("community/playlists.html", summaries=my_playlists(),
                           form=PlaylistNameForm())


@bp.post("/playlists")
@_limit_writes
@signed_in_required
def create() -> Response | tuple[str, int]:
    form = PlaylistNameForm()
    if not form.validate_on_submit():
        return render_template("community/playlists.html", summaries=my_playlists(),
                               form=form), 400
    try:
        playlist = playlists.create(db_session(), current_user.id, form.name.data or "")
    except PlaylistFull as full:
        db_session().rollback()
        form.name.errors = [str(full)]
        return render_template("community/playlists.html", summaries=my_playlists(),
                               form=form), 400
    db_session().commit()
    return _to_playlist(playlist.id)


@bp.get("/playlists/<int:playlist_id>")
@signed_in_required
def show(playlist_id: int) -> str:
    playlist = _owned_or_404(playlist_id)
    return render_template(
        "community/playlist.html", playlist=playlist,
        items=playlists.items(db_session(), playlist.id),
        rename_form=PlaylistNameForm(name=playlist.name),
        visibility_form=VisibilityForm(is_public=playlist.is_public),
        action_form=ActionForm())


@bp.post("/playlists/<int:playlist_id>/rename")
@_limit_writes
@signed_in_required
def rename(playlist_id: int) -> Response:
    playlist = _owned_or_404(playlist_id)
    form = PlaylistNameForm()
    if not form.validate_on_submit():
        abort(400)
    playlists.rename(playlist, form.name.data or "")
    db_session().commit()
    return _to_playlist(playlist.id)


@bp.post("/playlists/<int:playlist_id>/visibility")
@_limit_writes
@signed_in_required
def set_visibility(playlist_id: int) -> Response:
    playlist = _owned_or_404(playlist_id)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    playlist.is_public = bool(form.is_public.data)
    db_session().commit()
    return _to_playlist(playlist.id)


@bp.post("/playlists/<int:playlist_id>/delete")
@_limit_writes
@signed_in_required
def delete(playlist_id: int) -> Response:
    playlist = _owned_or_404(playlist_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    playlists.delete_playlist(db_session(), playlist)
    db_session().commit()
    flash("Playlist deleted.")
    return redirect(url_for("playlists.index"))


@bp.post("/playlists/<int:playlist_id>/items/<int:article_id>/<any(up, down):direction>")
@_limit_writes
@signed_in_required
def move(playlist_id: int, article_id: int, direction: str) -> Response:
    playlist = _owned_or_404(playlist_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not playlists.move_article(db_session(), playlist, article_id,
                                  -1 if direction == "up" else 1):
        abort(404)
    db_session().commit()
    return _to_playlist(playlist.id)


@bp.post("/playlists/<int:playlist_id>/items/<int:article_id>/remove")
@_limit_writes
@signed_in_required
def remove(playlist_id: int, article_id: int) -> Response:
    playlist = _owned_or_404(playlist_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    playlists.remove_article(db_session(), playlist, article_id)
    db_session().commit()
    return _to_playlist(playlist.id)


@bp.post("/playlists/save")
@_limit_writes
@signed_in_required
def save() -> Response:
    """The save button: into the chosen playlist, or the reader's default "Saved"."""
    form = SaveForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    if session.get(Article, form.article_id.data) is None:
        abort(404)
    try:
        if form.playlist_id.data:
            playlist = _owned_or_404(form.playlist_id.data)
        else:
            playlist = playlists.default_for_user(session, current_user.id)
        is_new = playlists.add_article(session, playlist, form.article_id.data)
    except PlaylistFull as full:
        session.rollback()
        flash(str(full), "error")
        return redirect(return_target(url_for("playlists.index")))
    session.commit()
    flash(f"Saved to {playlist.name}." if is_new else f"Already in {playlist.name}.")
    return redirect(return_target(url_for("playlists.show", playlist_id=playlist.id)))


@bp.get("/p/<share_token>")
def shared(share_token: str) -> str:
    playlist = playlists.public_by_token(db_session(), share_token)
    if playlist is None:
        abort(404)
    return render_template("community/shared_playlist.html", playlist=playlist,
                           items=playlists.items(db_session(), playlist.id))
