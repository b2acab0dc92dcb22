"""Community: readers' playlists and the discussion under articles."""

from __future__ import annotations

from flask import Flask

from web.community import comments, playlists


def init_app(app: Flask) -> None:
    app.register_blueprint(playlists.bp)
    app.register_blueprint(comments.bp)
