"""Community: readers' playlists and the discussion under articles."""

from __future__ import annotations

from flask import Flask

from web.community import comments, playlists
from web.community.forms import CommentForm
from web.community.links import sign_in_url


def init_app(app: Flask) -> None:
    app.register_blueprint(playlists.bp)
    app.register_blueprint(comments.bp)
    app.context_processor(lambda: {
        "sign_in_url": sign_in_url,
        "my_playlists": playlists.my_playlists,
        "comment_is_editable": comments.is_editable_now,
        "new_comment_form": CommentForm,
    })
