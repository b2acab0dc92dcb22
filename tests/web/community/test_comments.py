"""Discussion: who may comment, what a comment may contain, edits, reports, limits,
counts, and the Discussion page's order."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from models import comments
from models.articles import Article
from models.base import utcnow
from models.comments import Comment
from models.db import session_scope
from models.users import User
from web.community.rendering import render_comment

pytestmark = pytest.mark.usefixtures("no_csrf")


def _post(client, article_id: int, body: str):  # type: ignore[no-untyped-def]
    return client.post(f"/discussion/{article_id}/comments", data={"body": body})


def _comment_count(database, article_id: int) -> int:
    with database.reader() as session:
        return session.get(Article, article_id).comment_count


def _comments(database) -> list[Comment]:
    with database.reader() as session:
        return list(session.scalars(select(Comment).order_by(Comment.id)))


def test_a_verified_reader_comments_and_the_count_follows(client, make_user, login_as,
                                                          make_article, database) -> None:
    login_as(make_user())
    article = make_article()
    response = _post(client, article.id, "First *thoughts*")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/discussion/{article.id}#comment-")
    page = client.get(f"/discussion/{article.id}").get_data(as_text=True)
    assert "First <em>thoughts</em>" in page
    assert _comment_count(database, article.id) == 1


def test_a_reader_without_a_display_name_signs_with_a_pseudonym_not_their_id(
        client, make_user, login_as, make_article, database) -> None:
    article = make_article()
    ada, bob = make_user("ada@example.test"), make_user("bob@example.test")
    for author, body in ((ada, "first"), (bob, "second"), (ada, "third")):
        login_as(author)
        assert _post(client, article.id, body).status_code == 302
    page = client.get(f"/discussion/{article.id}").get_data(as_text=True)
    labels = re.findall(r'class="comment-author">([^<]*)<', page)
    assert len(labels) == 3
    assert labels[0] == labels[2] != labels[1]   # stable per reader, distinct between them
    for label, user in ((labels[0], ada), (labels[1], bob)):
        assert re.fullmatch(r"Reader [0-9a-f]{8}", label) and label != f"Reader {user.id}"


def test_unverified_and_anonymous_readers_cannot_comment(client, make_user, login_as,
                                                         make_article, database) -> None:
    article = make_article()
    assert _post(client, article.id, "anonymous").status_code in (302, 401)
    login_as(make_user(is_verified=False))
    assert _post(client, article.id, "unverified").status_code == 403
    assert _comments(database) == []
    assert _comment_count(database, article.id) == 0


def test_comment_on_a_missing_article_is_not_found(client, make_user, login_as) -> None:
    login_as(make_user())
    assert _post(client, 424242, "hello").status_code == 404


@pytest.mark.parametrize(("body", "forbidden"), [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("[click](javascript:alert(1))", 'href="javascript'),
    ('<a href="http://x" onclick="alert(1)">x</a>', "<a "),
    ("# Heading", "<h1"),
])
def test_rendering_keeps_nothing_active(body: str, forbidden: str) -> None:
    assert forbidden not in render_comment(body)


def test_rendering_keeps_the_small_markdown_allow_list_and_marks_links() -> None:
    html = render_comment("> quoted\n\n- **bold** and `code`\n\n[site](https://example.org)")
    assert "<blockquote>" in html and "<li><strong>bold</strong> and <code>code</code></li>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">site</a>' in html


def test_the_author_may_edit_within_fifteen_minutes(client, make_user, login_as, make_article,
                                                    database) -> None:
    login_as(make_user())
    article = make_article()
    _post(client, article.id, "tyop")
    [comment] = _comments(database)
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "typo"}).status_code == 302
    [comment] = _comments(database)
    assert comment.body == "typo" and comment.edited_at is not None


def test_editing_after_fifteen_minutes_is_refused_with_a_message(
        client, make_user, login_as, make_article, database) -> None:
    login_as(make_user())
    article = make_article()
    _post(client, article.id, "old words")
    with session_scope(database) as session:
        session.scalar(select(Comment)).created_at = utcnow() - timedelta(minutes=16)
    response = client.post(f"/comments/{_comments(database)[0].id}/edit",
                           data={"body": "new words"})
    assert response.status_code == 403
    assert "15 minutes" in response.get_data(as_text=True)
    assert _comments(database)[0].body == "old words"


def test_only_the_author_may_edit(client, make_user, login_as, make_article, database) -> None:
    login_as(make_user())
    article = make_article()
    _post(client, article.id, "mine")
    login_as(make_user("other@example.test"))
    comment_id = _comments(database)[0].id
    assert client.post(f"/comments/{comment_id}/edit", data={"body": "yours"}).status_code == 403
    assert _comments(database)[0].body == "mine"


def test_a_reader_reports_a_comment_once_and_admins_see_the_count(
        client, make_user, login_as, make_article, database) -> None:
    login_as(make_user())
    article = make_article()
    _post(client, article.id, "spam spam")
    comment_id = _comments(database)[0].id
    login_as(make_user("reporter@example.test"))
    for _ in range(2):
        assert client.post(f"/comments/{comment_id}/report", data={}).status_code == 302
    assert _comments(database)[0].report_count == 1
    assert "1 report" not in client.get(f"/discussion/{article.id}").get_data(as_text=True)
    login_as(make_user("admin@example.test", is_admin=True))
    assert "1 report" in client.get(f"/discussion/{article.id}").get_data(as_text=True)


def test_an_unverified_reader_cannot_report_and_is_told_why(
        client, make_user, login_as, make_article, database) -> None:
    """Reports order the moderators' queue: an address nobody proved costs nothing, so a
    report needs a verified one, as a comment does."""
    article = make_article()
    (comment_id,) = _comments_by_another(database, make_user("author@example.test"),
                                         article.id, 1)
    login_as(make_user("drive-by@example.test", is_verified=False))
    page = client.get(f"/discussion/{article.id}").get_data(as_text=True)
    assert 'aria-label="Report comment' not in page
    assert 'class="comment-actions"' not in page       # no empty row where it was
    refused = client.post(f"/comments/{comment_id}/report", data={})
    assert refused.status_code == 403
    assert "verify your email address before reporting" in refused.get_data(as_text=True)
    assert _report_count(database) == 0
    login_as(make_user("verified@example.test"))
    assert 'aria-label="Report comment' in client.get(
        f"/discussion/{article.id}").get_data(as_text=True)
    assert client.post(f"/comments/{comment_id}/report", data={}).status_code == 302
    assert _report_count(database) == 1


def _comments_by_another(database, user, article_id: int, count: int) -> list[int]:
    with session_scope(database) as session:
        return [comments.add(session, article_id=article_id, user_id=user.id,
                             body=str(n), body_html=str(n), now=utcnow()).id
                for n in range(count)]


def _report_count(database) -> int:
    with database.reader() as session:
        return sum(comment.report_count for comment in session.scalars(select(Comment)))


def test_reports_are_rate_limited_per_reader_with_a_page_that_says_so(
        client, make_user, login_as, make_article, database) -> None:
    """Each report writes a row and lengthens the moderators' queue: a script once
    reported every comment on the site as fast as it could send the requests."""
    article = make_article()
    ids = _comments_by_another(database, make_user("author@example.test"), article.id, 12)
    login_as(make_user("reporter@example.test"))
    statuses = [client.post(f"/comments/{comment_id}/report", data={}).status_code
                for comment_id in ids[:11]]
    assert statuses == [302] * 10 + [429]
    assert _report_count(database) == 10
    refused = client.post(f"/comments/{ids[11]}/report", data={})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "reported many comments" in page and "wait a few minutes" in page
    login_as(make_user("neighbour@example.test"))     # another reader has a budget…
    assert client.post(f"/comments/{ids[11]}/report", data={}).status_code == 302


def test_reports_from_one_address_share_a_budget_across_accounts(
        client, make_user, login_as, make_article, database) -> None:
    article = make_article()
    ids = _comments_by_another(database, make_user("author@example.test"), article.id, 31)
    statuses = []
    for number, comment_id in enumerate(ids):
        if number % 10 == 0:   # a fresh account before each one's own limit
            login_as(make_user(f"sock{number}@example.test"))
        statuses.append(client.post(f"/comments/{comment_id}/report", data={}).status_code)
    assert statuses == [302] * 30 + [429]
    assert _report_count(database) == 30
    login_as(make_user("elsewhere@example.test"))   # another address is not held back
    assert client.post(f"/comments/{ids[30]}/report", data={},
                       environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 302


def test_a_comment_refused_for_its_rate_says_why(client, make_user, login_as,
                                                 make_article) -> None:
    login_as(make_user())
    article = make_article()
    for n in range(5):
        assert _post(client, article.id, f"comment {n}").status_code == 302
    refused = _post(client, article.id, "one too many")
    assert refused.status_code == 429
    assert "posted or edited several comments" in refused.get_data(as_text=True)


def test_more_than_five_comments_a_minute_from_one_user_are_refused_with_429(
        client, make_user, login_as, make_article, database) -> None:
    login_as(make_user())
    article = make_article()
    statuses = [_post(client, article.id, f"comment {n}").status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(_comments(database)) == 5
    login_as(make_user("neighbour@example.test"))      # the limit is per user
    assert _post(client, article.id, "my first").status_code == 302


def test_edits_spend_the_same_budget_as_posts(client, make_user, login_as, make_article,
                                              database) -> None:
    """Every edit turns the whole page cache over: unlimited, one comment edited in a loop
    kept every anonymous page uncached."""
    login_as(make_user())
    article = make_article()
    assert _post(client, article.id, "first words").status_code == 302
    comment_id = _comments(database)[0].id
    for _ in range(6):   # opening the form is free
        assert client.get(f"/comments/{comment_id}/edit").status_code == 200
    statuses = [client.post(f"/comments/{comment_id}/edit",
                            data={"body": f"edit {n}"}).status_code for n in range(5)]
    assert statuses == [302] * 4 + [429]
    assert _comments(database)[0].body == "edit 3"
    assert _post(client, article.id, "and one more").status_code == 429


def test_anonymous_posts_from_one_ipv6_64_share_one_budget(client, make_article,
                                                           database) -> None:
    article = make_article()
    statuses = [client.post(f"/discussion/{article.id}/comments", data={"body": "hi"},
                            environ_base={"REMOTE_ADDR": f"2001:db8:5:6::{n + 1:x}"}
                            ).status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]   # sent to sign in, then refused


def test_hiding_and_deleting_keep_the_count_of_visible_comments(make_user, make_article,
                                                                database) -> None:
    user = make_user()
    article = make_article()
    with session_scope(database) as session:
        first, second = (comments.add(session, article_id=article.id, user_id=user.id,
                                      body=text, body_html=text, now=utcnow())
                         for text in ("one", "two"))
    assert _comment_count(database, article.id) == 2
    with session_scope(database) as session:
        comments.set_hidden(session, session.get(Comment, first.id), True)
        comments.set_hidden(session, session.get(Comment, first.id), True)   # twice: once
    assert _comment_count(database, article.id) == 1
    with session_scope(database) as session:
        comments.delete_comment(session, session.get(Comment, first.id))    # hidden already
        comments.delete_comment(session, session.get(Comment, second.id))
    assert _comment_count(database, article.id) == 0


def test_discussion_lists_threads_with_most_comments_this_week_first(
        client, make_user, make_article, database) -> None:
    user = make_user()
    quiet, lively, old = (make_article(title) for title in ("Quiet", "Lively", "Old news"))
    now = utcnow()
    with session_scope(database) as session:
        for article, count, age in ((quiet, 1, timedelta(hours=1)),
                                    (lively, 3, timedelta(days=1)),
                                    (old, 5, timedelta(days=8))):
            for n in range(count):
                comments.add(session, article_id=article.id, user_id=user.id,
                             body=str(n), body_html=str(n), now=now - age)
    page = client.get("/discussion").get_data(as_text=True)
    assert page.index("Lively") < page.index("Quiet")
    assert "Old news" not in page


def test_a_suspended_reader_is_signed_out_at_once_and_cannot_comment(
        client, make_user, login_as, make_article, database) -> None:
    reader = make_user()
    login_as(reader)
    article = make_article()
    assert client.get("/playlists").status_code == 200
    with session_scope(database) as session:
        session.get(User, reader.id).is_suspended = True
    assert client.get("/playlists").status_code in (302, 401)
    assert _post(client, article.id, "still here?").status_code in (302, 401)
    assert _comments(database) == []


def test_the_edit_form_itself_is_refused_after_the_window(client, make_user, login_as,
                                                          make_article, database) -> None:
    login_as(make_user())
    article = make_article()
    _post(client, article.id, "settled")
    with session_scope(database) as session:
        session.scalar(select(Comment)).created_at = utcnow() - timedelta(minutes=15, seconds=1)
    response = client.get(f"/comments/{_comments(database)[0].id}/edit")
    assert response.status_code == 403 and "15 minutes" in response.get_data(as_text=True)
    page = client.get(f"/discussion/{article.id}").get_data(as_text=True)
    assert "/edit" not in page


def test_the_comments_partial_renders_without_a_form_given(app, make_user, make_article,
                                                           database) -> None:
    from flask import render_template
    from flask_login import login_user

    article = make_article()
    with app.test_request_context("/article/1-x"), database.reader() as session:
        login_user(session.get(User, make_user().id))
        html = render_template("partials/comments.html", article=article, comments=[])
    assert 'name="body"' in html and f'action="/discussion/{article.id}/comments"' in html


def test_community_pages_link_non_latin_titles_to_the_article_pages_own_address(
        client, make_article) -> None:
    article = make_article("Новости дня")
    page = client.get(f"/discussion/{article.id}").get_data(as_text=True)
    canonical = f"/article/{article.id}-{quote('новости-дня')}"
    assert f'<a href="{canonical}">' in page
    assert client.get(canonical).status_code == 200


def test_an_empty_comment_is_refused_with_the_error_tied_to_the_field(
        client, make_user, login_as, make_article) -> None:
    login_as(make_user())
    article = make_article()
    response = _post(client, article.id, "   ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    field = page.split('id="comment-body"')[0].rsplit("<textarea", 1)[1] + page.split(
        'id="comment-body"')[1].split(">")[0]
    assert 'aria-invalid="true"' in field and "comment-body-error" in field
    assert 'id="comment-body-error"' in page
