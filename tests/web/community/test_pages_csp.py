"""Community pages work under `script-src 'self'; style-src 'self'`: no inline scripts,
no event-handler or style attributes, only linked files."""

from __future__ import annotations

import re

from models.db import session_scope
from models.playlists import Playlist


def test_community_pages_carry_no_inline_script_style_or_handlers(
        client, make_user, login_as, make_article, database) -> None:
    reader = make_user()
    login_as(reader)
    article = make_article()
    with session_scope(database) as session:
        playlist = Playlist(user_id=reader.id, name="Mine", is_public=True, share_token="t" * 43)
        session.add(playlist)
        session.flush()
        playlist_id = playlist.id
    for url in ("/playlists", f"/playlists/{playlist_id}", f"/p/{'t' * 43}", "/discussion",
                f"/discussion/{article.id}"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert not re.search(r"\s(on[a-z]+|style)=", page), url
        assert "css/community.css" in page, url
