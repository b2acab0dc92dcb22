"""Every state-changing route refuses a request forged from another site (CSRF): the
routes are enumerated from the app, so a route added later is covered without editing
this file. Two are exempt from the token and guarded otherwise: `/consent` (answered
from cached pages, which carry no token: the Origin must be this site's) and the WebSub
callback (the hub signs each delivery)."""

from __future__ import annotations

import re

from models import comments, playlists
from models.base import utcnow
from models.db import session_scope
from tests.article_rows import ArticleRows

EXEMPT = {"/consent": "must be sent from this site", "/websub/<token>": None}


def _post_rules(app) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "POST" in (rule.methods or ())})


def test_every_post_without_a_token_is_refused_before_it_acts(app, client, database,
                                                              make_user, login_as) -> None:
    admin = make_user("admin@example.test", is_admin=True)
    article = ArticleRows(database).article("Harbour news")
    with session_scope(database) as session:
        comment = comments.add(session, article_id=article.id, user_id=admin.id,
                               body="mine", body_html="mine", now=utcnow())
        playlist = playlists.create(session, admin.id, "Reading")
        values = {"article_id": article.id, "comment_id": comment.id,
                  "playlist_id": playlist.id, "source_id": article.source_id,
                  "user_id": admin.id, "section_id": 1, "direction": "up", "token": "x"}
    rules = _post_rules(app)
    assert len(rules) >= 35 and "/comments/<int:comment_id>/report" in rules
    login_as(admin)
    for rule in rules:
        url = re.sub(r"<(?:[\w(), ]+:)?(\w+)>", lambda found: str(values[found[1]]), rule)
        response = client.post(url, data={"body": "forged", "name": "forged"},
                               headers={"Origin": "https://evil.example"})
        text = response.get_data(as_text=True)
        if rule in EXEMPT:
            assert response.status_code in (400, 404), rule
            assert EXEMPT[rule] is None or EXEMPT[rule] in text, rule
            continue
        assert response.status_code == 400, rule
        assert "The CSRF token is missing" in text, rule
    with database.reader() as session:   # nothing was done: the comment is unchanged
        assert comments.by_id(session, comment.id).body == "mine"
