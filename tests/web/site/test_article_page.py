"""The article page wires in the other areas' pieces: metadata for link previews and
search engines, the save button and the discussion, and still serves anonymous readers
from the page cache."""

from __future__ import annotations

import json
import re

from models.comments import Comment
from models.db import session_scope


def _json_ld(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None, "no JSON-LD on the page"
    data: dict = json.loads(match.group(1))  # type: ignore[type-arg]
    return data


def _comment(database, article_id: int, user_id: int, text: str) -> None:  # type: ignore[no-untyped-def]
    with session_scope(database) as session:
        session.add(Comment(article_id=article_id, user_id=user_id, body=text,
                            body_html=f"<p>{text}</p>"))


def test_article_page_has_absolute_canonical_opengraph_and_json_ld(client, make,
                                                                   settings) -> None:
    # An excerpt: the page is its own canonical (a full source's points at the original).
    article = make.article(make.source("Daily Planet", rights="excerpt"),
                           title="Moon landing confirmed", summary="Crew safe.")
    html = client.get(f"/article/{article.id}-moon-landing-confirmed").get_data(as_text=True)
    url = f"{settings.base_url}/article/{article.id}-moon-landing-confirmed"
    assert html.count('rel="canonical"') == 1
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Moon landing confirmed">' in html
    data = _json_ld(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Moon landing confirmed"
    assert data["url"] == url
    assert data["sourceOrganization"]["name"] == "Daily Planet"


def test_an_outlet_that_signs_its_posts_with_its_own_name_is_named_once(client,
                                                                          make) -> None:
    # YouTube's channel feeds sign every video with the channel's name.
    channel = make.source("Harbour Talks")
    video = make.article(channel, title="Tide tables explained", author="Harbour Talks ")
    essay = make.article(channel, title="Why tides turn", author="Ann Reyes")
    html = client.get(f"/article/{video.id}-x", follow_redirects=True).get_data(as_text=True)
    assert 'class="author"' not in html and html.count(">Harbour Talks</a>") == 1
    html = client.get(f"/article/{essay.id}-x", follow_redirects=True).get_data(as_text=True)
    assert '<span class="author"> · Ann Reyes</span>' in html


def test_anonymous_readers_see_comments_and_links_to_sign_in_and_the_page_is_cached(
        client, make, make_user, database) -> None:
    article = make.article(make.source(), title="Talked about")
    writer = make_user("writer@example.test")
    _comment(database, article.id, writer.id, "First thoughts on this")
    path = f"/article/{article.id}-talked-about"

    first = client.get(path)
    html = first.get_data(as_text=True)
    assert "First thoughts on this" in html
    assert "Sign in to join the discussion" in html
    assert "Sign in to save" in html
    discussion = html.split('id="comments"')[1].split("</section>")[0]
    assert "csrf_token" not in html and "<form" not in discussion
    assert first.headers["X-Cache"] == "miss"
    assert "Set-Cookie" not in first.headers
    assert client.get(path).headers["X-Cache"] == "hit"


def test_signed_in_readers_get_the_save_and_comment_forms_never_from_the_cache(
        client, make, make_user, login_as) -> None:
    article = make.article(make.source(), title="Worth keeping")
    path = f"/article/{article.id}-worth-keeping"
    client.get(path)   # an anonymous reader fills the cache first
    login_as(make_user())

    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.headers.get("X-Cache") != "hit"
    assert 'action="/playlists/save"' in html
    assert f'name="article_id" value="{article.id}"' in html
    assert 'class="comment-form"' in html
    assert "Sign in to save" not in html


def test_hidden_comments_stay_off_the_article_page(client, make, make_user,
                                                   database) -> None:
    article = make.article(make.source(), title="Moderated")
    writer = make_user("writer@example.test")
    _comment(database, article.id, writer.id, "Visible remark")
    with session_scope(database) as session:
        session.add(Comment(article_id=article.id, user_id=writer.id, body="Spam",
                            body_html="<p>Buy pills</p>", is_hidden=True))
    html = client.get(f"/article/{article.id}-moderated").get_data(as_text=True)
    assert "Visible remark" in html
    assert "Buy pills" not in html
