"""Admin › Comments: reported comments listed first; hide, unhide and delete keep the
article's count of visible comments."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import comments
from models.articles import Article
from models.base import utcnow
from models.comments import Comment
from models.db import session_scope
from models.permalinks import article_path

pytestmark = pytest.mark.usefixtures("no_csrf")


def _count(database, article_id: int) -> int:
    with database.reader() as session:
        return session.get(Article, article_id).comment_count


def test_hide_unhide_and_delete_follow_the_visible_count(client, admin, make_user,
                                                         make_article, database) -> None:
    author = make_user()
    article = make_article("Debated")
    with session_scope(database) as session:
        comment = comments.add(session, article_id=article.id, user_id=author.id,
                               body="rude words", body_html="<p>rude words</p>", now=utcnow())
        comments.report(session, comment, admin.id, "rude")
    page = client.get("/admin/comments").get_data(as_text=True)
    assert page.count("rude words") == 2          # in Reported and in Recent

    client.post(f"/admin/comments/{comment.id}/hide")
    assert _count(database, article.id) == 0
    assert "rude words" not in client.get(f"/discussion/{article.id}").get_data(as_text=True)
    client.post(f"/admin/comments/{comment.id}/unhide")
    assert _count(database, article.id) == 1
    client.post(f"/admin/comments/{comment.id}/delete")
    assert _count(database, article.id) == 0
    with database.reader() as session:
        assert session.scalars(select(Comment)).all() == []


def test_a_hidden_comment_leaves_the_cached_article_page_at_once(
        app, client, admin, make_user, make_article, database) -> None:
    """Anonymous readers get article pages from the page cache; hiding or deleting a
    comment must take it off them at once, not when the cached copy expires."""
    author = make_user()
    article = make_article("Debated")
    with session_scope(database) as session:
        comment = comments.add(session, article_id=article.id, user_id=author.id,
                               body="rude words", body_html="<p>rude words</p>", now=utcnow())
    reader = app.test_client()
    first = reader.get(article_path(article))
    assert "rude words" in first.get_data(as_text=True)
    assert reader.get(article_path(article)).headers["X-Cache"] == "hit"

    client.post(f"/admin/comments/{comment.id}/hide")

    assert "rude words" not in reader.get(article_path(article)).get_data(as_text=True)
    client.post(f"/admin/comments/{comment.id}/unhide")
    assert "rude words" in reader.get(article_path(article)).get_data(as_text=True)
    client.post(f"/admin/comments/{comment.id}/delete")
    assert "rude words" not in reader.get(article_path(article)).get_data(as_text=True)
