"""The magazine's pages, on real rows: what a reader sees and where links lead."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from models.articles import Article
from models.base import utcnow
from models.db import session_scope
from tests.web.site.conftest import consent_cookie


def text_of(response, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    """The page's HTML, once it is the page asked for: an error page (whose text lacks
    whatever a test says must be absent) fails here, not in silence."""
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def test_home_shows_lead_with_image_headlines_section_blocks_latest_and_most_read(
        client, make, database) -> None:
    news = make.section("News", position=1)
    politics = make.section("Politics", parent=news)
    make.section("World", parent=news, position=1)
    geopolitics = make.section("Geopolitics", position=2)
    source = make.source("Daily Planet")
    now = utcnow()
    make.article(source, title="Newest without image", section=geopolitics, published_at=now)
    lead = make.article(source, title="Parliament votes tonight", section=politics,
                        image_url="http://127.0.0.1/lead.jpg", image_alt="The parliament",
                        published_at=now - timedelta(minutes=5))
    for number in range(8):   # fill the top headlines
        make.article(source, title=f"Filler {number}", section=geopolitics,
                     published_at=now - timedelta(minutes=10 + number))
    committee = make.article(source, title="Committee meets", section=politics,
                             published_at=now - timedelta(hours=2))
    read = make.article(source, title="Everyone read this", section=geopolitics,
                        published_at=now - timedelta(hours=3), view_count=40)
    make.article(source, title="Old but popular", section=geopolitics,
                 published_at=now - timedelta(days=3), view_count=900)
    for number in range(6):     # more stories than the front page's nine
        make.article(source, title=f"Filler story {number}", section=geopolitics,
                     published_at=now - timedelta(hours=1, minutes=number))

    page = text_of(client.get("/"))

    lead_html = page.split('aria-label="Lead story"')[1].split("</section>")[0]
    assert "Parliament votes tonight" in lead_html and 'alt="The parliament"' in lead_html
    headlines = page.split('id="top-headlines"')[1].split("</section>")[0]
    assert "Newest without image" in headlines and "Parliament votes" not in headlines
    news_block = page.split('id="block-news"')[1].split("</section>")[0]
    assert "Committee meets" in news_block      # Politics' article is in News' block
    assert "Parliament votes" not in news_block  # … but the lead is not shown twice
    # The block's name is on its heading; a card says only a subsection's name.
    assert '<p class="kicker">Politics</p>' in news_block
    assert '<p class="kicker">News</p>' not in news_block
    assert 'id="block-geopolitics"' in page
    assert 'id="block-world"' not in page                 # subsections have no block of their own
    most_read = page.split('id="most-read"')[1].split("</aside>")[0]
    assert "Everyone read this" in most_read and "Old but popular" not in most_read
    assert f"/article/{read.id}-everyone-read-this" in most_read
    assert f'href="/article/{lead.id}-parliament-votes-tonight"' in page
    assert page.count(f'href="/article/{committee.id}-committee-meets"') == 1


def test_home_hides_most_read_until_something_was_read_and_shows_no_article_twice(
        client, make) -> None:
    world = make.section("World")
    source = make.source()
    made = make.articles(20, source, section=world)   # fits on the front page

    page = text_of(client.get("/"))

    assert "Most read" not in page and 'class="with-sidebar"' not in page
    links = re.findall(r'href="(/article/\d+-[^"#]*)"', page)
    assert len(links) == len(set(links))
    assert {f"/article/{article.id}-{article.slug}" for article in made} == set(links)


def test_a_front_page_of_one_story_has_no_empty_top_headlines(client, make) -> None:
    """Right after a first poll whose articles all cover one event, the page showed the
    lead and a "Top headlines" heading over nothing."""
    source = make.source()
    make.article(source, title="Harbour bridge reopens")

    page = text_of(client.get("/"))

    assert "Harbour bridge reopens" in page.split('aria-label="Lead story"')[1]
    assert "Top headlines" not in page and 'id="top-headlines"' not in page


def test_every_page_has_header_date_navigation_with_news_menu_and_footer(
        client, make, settings) -> None:
    news = make.section("News", position=1)
    make.section("Politics", parent=news)
    make.section("Geopolitics", position=2)

    page = text_of(client.get("/about"))

    assert f'<a class="site-name" href="/">{settings.site_name}</a>' in page
    assert utcnow().strftime("%Y") in page
    menu = page.split("<details data-menu>")[1].split("</details>")[0]
    assert "<summary>News</summary>" in menu and 'href="/section/politics"' in menu
    assert 'href="/section/geopolitics"' in page
    assert 'href="#main"' in page and '<main id="main"' in page
    footer = page.split('<footer class="site-footer">')[1]
    for link in ("/about", "/advertise", "/privacy", "/terms", "/contact", "/consent"):
        assert f'href="{link}"' in footer
    assert f"© {utcnow().year}" in footer.replace("&copy;", "©")


def test_footer_shows_the_operators_follow_links(make, settings, database) -> None:
    from dataclasses import replace

    from web import create_app

    configured = replace(settings, follow_links=(("X", "https://x.com/hopper"),
                                                 ("Telegram", "https://t.me/hopper")))
    app = create_app({"TESTING": True}, settings=configured)
    page = text_of(app.test_client().get("/about"))
    follow = page.split('aria-label="Follow us"')[1].split("</nav>")[0]
    assert "Follow Us" in follow
    assert 'href="https://x.com/hopper"' in follow and ">Telegram<" in follow
    app.extensions["hopper_database"].dispose()


def test_section_page_lists_its_subsections_articles_newest_first(client, make) -> None:
    news = make.section("News")
    politics = make.section("Politics", parent=news)
    world = make.section("World", parent=news)
    other = make.section("Sport")
    source = make.source()
    now = utcnow()
    make.article(source, title="World story", section=world, published_at=now)
    make.article(source, title="Politics story", section=politics,
                 published_at=now - timedelta(hours=1))
    make.article(source, title="News story", section=news, published_at=now - timedelta(hours=2))
    make.article(source, title="Sport story", section=other, published_at=now)

    page = text_of(client.get("/section/news"))

    river = page.split('<ul class="river">')[1]
    titles = re.findall(r'class="card-title"><a [^>]*>([^<]+)<', river)
    assert titles == ["World story", "Politics story", "News story"]
    # Headings in order: the cards' titles come right under the page's h1.
    assert river.count('<h2 dir="auto" class="card-title">') == 3 and "<h3" not in river
    assert 'href="/section/politics"' in page.split('class="subsections"')[1]
    # A card names its subsection; the page's own section is on its heading only.
    assert '<p class="kicker">World</p>' in river and '<p class="kicker">Politics</p>' in river
    assert '<p class="kicker">News</p>' not in river
    politics_page = text_of(client.get("/section/politics"))
    assert "Politics story" in politics_page and "World story" not in politics_page.split(
        '<ul class="river">')[1]
    assert 'aria-label="Breadcrumb"' in politics_page
    assert 'href="/section/news"' in politics_page.split('aria-label="Breadcrumb"')[1]


def test_listings_paginate_with_rel_prev_and_next(client, make) -> None:
    news = make.section("News")
    source = make.source()
    make.articles(45, source, section=news)

    first = text_of(client.get("/section/news"))
    assert '<link rel="next" href="/section/news?page=2">' in first
    assert 'rel="prev"' not in first
    second = text_of(client.get("/section/news?page=2"))
    assert '<link rel="prev" href="/section/news">' in second
    assert '<link rel="next" href="/section/news?page=3">' in second
    third = text_of(client.get("/section/news?page=3"))
    assert 'rel="next"' not in third and third.count('class="card-title"') == 5
    assert client.get("/section/news?page=4").status_code == 404
    assert client.get("/section/news?page=0").status_code == 404


def test_home_river_paginates_after_the_front_page_articles(client, make) -> None:
    source = make.source()
    make.articles(40, source)
    first = text_of(client.get("/"))
    assert '<link rel="next" href="/?page=2">' in first
    second = text_of(client.get("/?page=2"))
    assert '<link rel="prev" href="/">' in second and "Latest news" in second


def test_front_page_leaves_out_latest_news_when_the_blocks_above_show_every_story(
        client, make) -> None:
    """A new site's few stories all fit in the lead and top headlines: a "Latest news"
    heading over "No more articles yet." was a block with nothing in it."""
    source = make.source()
    now = utcnow()
    for number in range(12):     # nine on the front, three older ones read most
        make.article(source, title=f"Story {number}", view_count=20 if number >= 9 else 0,
                     published_at=now - timedelta(minutes=number))

    page = text_of(client.get("/"))

    assert 'id="top-headlines"' in page and 'id="most-read"' in page
    assert 'id="latest-news"' not in page and "No more articles" not in page
    assert 'class="river-only"' in page       # the most read are not a sidebar of nothing
    headlines = page.split('id="top-headlines"')[1].split("</h2>")[0]
    assert '<a class="rss-link" href="/feed.xml">' in headlines     # the feed, still in view


def test_latest_news_lists_the_stories_below_the_front_page_and_pages_follow_on(
        client, make, database) -> None:
    """Right after a first poll of many outlets the newest articles are the big events'
    coverage, all of it on the front page already: the river, a list of articles then,
    left out every one and showed an empty "Latest news". It lists stories now, the
    front page's left out on every page: each story once, none skipped."""
    from models import stories as story_rows

    outlets = [make.source(f"Outlet {number}") for number in range(3)]
    now = utcnow()
    events = []
    for event in range(12):          # more big events than the front page shows
        first = make.article(outlets[0], title=f"Big event {event}",
                             published_at=now - timedelta(minutes=event))
        for outlet in outlets[1:]:
            make.article(outlet, title=f"Big event {event}, as {outlet.name} tells it",
                         story_id=first.story_id, published_at=now - timedelta(minutes=event))
        events.append(first.story_id)
    singles = [make.article(outlets[event % 3], title=f"Smaller story {event}",
                            published_at=now - timedelta(hours=2, minutes=event)).story_id
               for event in range(30)]
    with session_scope(database) as session:
        story_rows.refresh_counts(session, events)

    def story_ids(html: str) -> list[int]:
        return [int(found) for found in re.findall(r'data-story-id="(\d+)"', html)]

    first = text_of(client.get("/"))
    river = first.split('id="latest-news"')[1].split("</section>")[0]
    above = story_ids(first.split('id="latest-news"')[0])
    assert len(above) == 8         # the top headlines (the lead is an article's card)
    first_river = story_ids(river)
    assert len(first_river) == 20 and not set(first_river) & set(above)
    second = text_of(client.get("/?page=2"))
    second_river = story_ids(second.split('id="latest-news"')[1].split("</section>")[0])
    unlisted = set(events) | set(singles)
    unlisted -= set(above) | set(first_river) | set(second_river)
    assert len(unlisted) == 1                             # the lead story, shown once
    assert len(first_river + second_river) == len(set(first_river + second_river))
    assert len(above) + len(first_river) + len(second_river) + 1 == len(events) + len(singles)
    assert "Outlet 1</span>: <a" in river    # big events beyond the front show coverage


def test_empty_section_tag_source_and_video_pages_say_so_helpfully(client, make) -> None:
    make.section("Intel & Security", slug="intel-security")
    source = make.source("Quiet Gazette")
    with session_scope(make.database) as session:
        from models.tags import Tag
        session.add(Tag(slug="lonely", name="Lonely"))

    for url, message in (("/section/intel-security", "No articles have been filed under"),
                         ("/tag/lonely", "No articles are tagged"),
                         (f"/source/{source.id}", "Quiet Gazette has no articles yet"),
                         ("/video", "No videos have been published yet")):
        response = client.get(url)
        assert response.status_code == 200, url
        page = text_of(response).replace("&amp;", "&")
        assert message in page and 'href="/">front page</a>' in page, url


def test_a_tag_or_source_named_in_arabic_heads_its_page_right_to_left(client, make) -> None:
    """A listing's heading is a name a feed or an operator chose, in any script: it takes
    its direction from its own text, as every headline on the site does."""
    source = make.source("الجزيرة نت")
    with session_scope(make.database) as session:
        from models.tags import Tag
        session.add(Tag(slug="siyasa", name="سياسة"))

    for url in ("/tag/siyasa", f"/source/{source.id}", "/video"):
        page = text_of(client.get(url))
        assert re.search(r'<h1 dir="auto">', page), url


def test_home_without_articles_explains_how_news_arrives(client, database) -> None:
    page = text_of(client.get("/"))
    assert "No news yet" in page and "hopper sources add" in page


def test_unknown_slugs_and_ids_are_404_pages(client, make) -> None:
    for url in ("/section/nope", "/tag/nope", "/source/999", "/article/999-gone",
                "/article/999", "/nowhere"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in text_of(response, 404)


def test_wrong_or_missing_slug_redirects_permanently_to_the_canonical_url(client, make) -> None:
    article = make.article(make.source(), title="Ceasefire holds in the north")
    for url in (f"/article/{article.id}-old-title", f"/article/{article.id}"):
        response = client.get(url)
        assert response.status_code == 301
        assert response.headers["Location"] == f"/article/{article.id}-ceasefire-holds-in-the-north"


@pytest.mark.parametrize("caption", [None, "Senators, seen from the gallery. Photo: AP"])
def test_article_page_prints_the_caption_under_the_picture_and_reads_out_the_alt(
        client, make, caption: str | None) -> None:
    article = make.article(make.source("Daily Planet"), title="Budget passes",
                           image_url="http://127.0.0.1/budget.jpg",
                           image_alt="Senators voting", image_caption=caption)

    page = text_of(client.get(f"/article/{article.id}-budget-passes"))

    figure = page.split('<figure class="article-figure">')[1].split("</figure>")[0]
    assert 'alt="Senators voting"' in figure
    assert "<figcaption>" not in figure if caption is None \
        else f"<figcaption>{caption}</figcaption>" in figure
    assert "Senators voting</figcaption>" not in page


def test_article_page_shows_everything_a_reader_needs(client, make) -> None:
    news = make.section("News")
    politics = make.section("Politics", parent=news)
    source = make.source("Daily Planet")
    published = utcnow() - timedelta(hours=5)
    older = make.article(source, title="Older politics", section=politics,
                         published_at=published - timedelta(hours=1))
    article = make.article(
        source, title="Budget passes", section=politics, published_at=published,
        updated_at=published + timedelta(hours=2), summary="The vote was close.",
        content_html="<p>The <strong>budget</strong> passed 51 to 49.</p>",
        image_url="http://127.0.0.1/budget.jpg", image_alt="Senators voting",
        tags=["Budget", "Senate"], url="http://127.0.0.1/original/budget")
    newer = make.article(source, title="Newer politics", section=politics,
                         published_at=published + timedelta(hours=1))
    related = make.article(source, title="Senate budget debate", section=make.section("World"),
                           tags=["Budget", "Senate"])

    page = text_of(client.get(f"/article/{article.id}-budget-passes"))

    assert '<h1 dir="auto" class="article-title">Budget passes</h1>' in page
    assert '<p dir="auto" class="standfirst">The vote was close.</p>' in page
    assert '<div dir="auto" class="article-body">' in page    # an Arabic body reads rtl
    crumbs = page.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert 'href="/section/news"' in crumbs and 'href="/section/politics"' in crumbs
    assert f'Published <time datetime="{published.isoformat()}" data-relative>' in page
    assert "Updated <time" in page
    # The publisher and a way to the original come right under the headline.
    top = page.split('<h1 dir="auto" class="article-title">')[1].split('class="standfirst"')[0]
    assert "Daily Planet</a>" in top and '<span class="publisher-domain">127.0.0.1</span>' in top
    assert 'href="http://127.0.0.1/original/budget"' in top and "Read at 127.0.0.1" in top
    assert 'alt="Senators voting"' in page
    assert "<strong>budget</strong> passed 51 to 49." in page
    ending = page.split('class="article-body"')[1]
    full = re.search(r'<a class="button read-original button-primary" href="([^"]+)"'
                     r' rel="noopener noreferrer" target="_blank">Read at 127.0.0.1', ending)
    assert full and full.group(1) == "http://127.0.0.1/original/budget"
    assert 'href="/tag/budget"' in page and 'href="/tag/senate"' in page
    neighbours = page.split('class="neighbours"')[1].split("</nav>")[0]
    assert f'rel="prev" href="/article/{older.id}-older-politics"' in neighbours
    assert f'rel="next" href="/article/{newer.id}-newer-politics"' in neighbours
    related_html = page.split('id="related-heading"')[1]
    assert related_html.index("Senate budget debate") < related_html.index("Older politics")
    assert f"/article/{related.id}-" in related_html
    for network in ("facebook", "x", "telegram", "whatsapp", "email"):
        assert f'href="/article/{article.id}/share/{network}"' in page
    assert page.count(">Discussion") == 2   # the site menu's link and the article's own
    assert '<h2 id="comments-title">Discussion (0)</h2>' in page
    assert '<span class="count count-views">0 views</span>' in page
    # No third-party or inline script anywhere: only first-party files under /static/
    # (and the JSON-LD data block, which browsers never run).
    assert len(re.findall(r"<script\b", page)) == len(
        re.findall(r'<script src="/static/[^"]+"', page)) + 1
    assert page.count('<script type="application/ld+json">') == 1


def test_article_without_changes_does_not_claim_an_update(client, make) -> None:
    article = make.article(make.source(), title="Quiet day")
    page = text_of(client.get(f"/article/{article.id}-quiet-day"))
    assert "Updated" not in page


def test_share_link_counts_and_redirects_to_the_network(client, make, database, settings) -> None:
    article = make.article(make.source(), title="Share me please")
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}

    response = client.get(f"/article/{article.id}/share/x", headers=browser)

    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "x.com", "/intent/post")
    query = parse_qs(target.query)
    assert query["url"] == [f"{settings.base_url}/article/{article.id}-share-me-please"]
    assert query["text"] == ["Share me please"]
    telegram = client.get(f"/article/{article.id}/share/telegram", headers=browser)
    assert telegram.headers["Location"].startswith("https://t.me/share/url?")
    mail = client.get(f"/article/{article.id}/share/email", headers=browser)
    assert mail.headers["Location"].startswith("mailto:?subject=Share%20me%20please")
    with session_scope(database, write=False) as session:
        assert session.get(Article, article.id).share_count == 3


def test_share_to_unknown_network_or_article_is_404_and_counts_nothing(
        client, make, database) -> None:
    article = make.article(make.source())
    assert client.get(f"/article/{article.id}/share/myspace").status_code == 404
    assert client.get("/article/999999/share/x").status_code == 404
    with session_scope(database, write=False) as session:
        assert session.get(Article, article.id).share_count == 0


def test_a_plain_http_video_offers_its_source_not_a_player_that_cannot_play(
        client, make, settings) -> None:
    """The CSP lets pages play media from this site or over https only (web/security.py):
    a publisher's http: file would show dead controls."""
    source = make.source()
    plain = make.article(source, title="Plain clip", is_video=True,
                         video_url="http://127.0.0.1/clip.mp4",
                         url="https://news.example/clip-story")
    own_file = f"{settings.base_url}/static/clip.mp4"      # this site's (HOPPER_BASE_URL)
    own = make.article(source, title="Own clip", is_video=True, video_url=own_file)

    page = text_of(client.get(f"/article/{plain.id}", follow_redirects=True))
    assert "<video" not in page
    assert ('<a href="https://news.example/clip-story" rel="noopener noreferrer">'
            "Watch it at the source</a>") in page
    # This site's own file plays ('self').
    assert f'<video class="player" controls preload="none" src="{own_file}"' \
        in text_of(client.get(f"/article/{own.id}", follow_redirects=True))


def test_video_page_holds_embeds_back_until_media_consent(client, make, settings) -> None:
    source = make.source()
    make.article(source, title="Embedded talk", is_video=True,
                 video_embed_url="https://www.youtube-nocookie.com/embed/abc123")
    make.article(source, title="Plain file", is_video=True,
                 video_url="https://127.0.0.1/clip.mp4")
    make.article(source, title="Text only")

    page = text_of(client.get("/video"))
    assert "Embedded talk" in page and "Plain file" in page and "Text only" not in page
    assert "<iframe" not in page
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/abc123"' in page
    assert '<button type="button" class="button embed-load">' in page
    # The way out without consent is YouTube's own page (a phone hands it to the app).
    assert ('<a href="https://www.youtube.com/watch?v=abc123" rel="noopener noreferrer" '
            'target="_blank">Watch on YouTube</a>') in page
    assert '<video class="player" controls preload="none" src="https://127.0.0.1/clip.mp4"' in page

    consent_cookie(client, settings, media=True)
    consented = text_of(client.get("/video"))
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abc123"' in consented


def test_a_video_article_shows_its_player_once_not_again_in_the_body(client, make) -> None:
    """Feeds often embed the same video in the body that the item names as its video: the
    page's player shows it; the body keeps only other videos."""
    article = make.article(make.source(), title="Launch video", is_video=True,
                           video_embed_url="https://www.youtube-nocookie.com/embed/abc123",
                           content_html=(
                               '<p>Watch:</p><iframe src="https://www.youtube-nocookie.com/'
                               'embed/abc123?rel=0"></iframe><p>And the rehearsal:</p>'
                               '<iframe src="https://www.youtube-nocookie.com/embed/xyz789">'
                               '</iframe>'))
    page = text_of(client.get(f"/article/{article.id}-launch-video"))
    assert page.count('data-embed-src="https://www.youtube-nocookie.com/embed/abc123') == 1
    assert page.count('data-embed-src="https://www.youtube-nocookie.com/embed/xyz789"') == 1
    assert "<p>Watch:</p>" in page


def test_article_body_iframes_wait_for_consent_and_unlisted_hosts_are_dropped(
        client, make, settings) -> None:
    article = make.article(make.source(), title="Clip inside", content_html=(
        '<p>Watch:</p><iframe src="https://player.vimeo.com/video/42?h=a&amp;b=1"></iframe>'
        '<iframe src="https://evil.example/player"></iframe>'))
    page = text_of(client.get(f"/article/{article.id}-clip-inside"))
    assert "<iframe" not in page and "evil.example" not in page
    assert 'data-embed-src="https://player.vimeo.com/video/42?h=a&amp;b=1"' in page
    assert '<a href="https://vimeo.com/42" rel="noopener noreferrer"' in page
    consent_cookie(client, settings, media=True)
    page = text_of(client.get(f"/article/{article.id}-clip-inside"))
    assert '<iframe src="https://player.vimeo.com/video/42?h=a&amp;b=1"' in page
    assert "evil.example" not in page


def test_static_pages_render_shipped_markdown_without_raw_html(client, database) -> None:
    for name, heading in (("about", "About us"), ("advertise", "Advertise with us"),
                          ("privacy", "Privacy Policy"), ("terms", "Terms of use")):
        response = client.get(f"/{name}")
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in text_of(response)


def test_instance_markdown_overrides_the_default_page(client, settings, database) -> None:
    pages = settings.instance_path / "pages"
    pages.mkdir(exist_ok=True)
    override = pages / "about.md"
    override.write_text(
        "# About the Gazette\n\nRun by *volunteers*.\n\n<script>alert(1)</script>\n")
    try:
        page = text_of(client.get("/about"))
    finally:
        override.unlink()
    assert "<h1>About the Gazette</h1>" in page and "<em>volunteers</em>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "About us" not in page


def test_static_files_are_fingerprinted_and_cached_for_a_year(client, database) -> None:
    page = text_of(client.get("/about"))
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page)
    assert css
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/css/site.css")
    assert "immutable" not in plain.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/login", "/consent"])
def test_every_stylesheet_and_script_a_page_links_is_fingerprinted(client, database,
                                                                    path) -> None:
    # An unversioned asset is revalidated on every page view (a round trip per file on a
    # phone) and can be served stale for a while after an upgrade.
    page = text_of(client.get(path))
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', page)
    assert assets
    assert [asset for asset in assets if not re.search(r"\?v=[0-9a-f]{12}$", asset)] == []


def test_pages_are_compressed_for_clients_that_accept_it(client, make) -> None:
    make.articles(10, make.source())
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    response = client.get("/", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"


def test_article_rewritten_by_ingest_shows_when_it_changed(client, make, database) -> None:
    stored = utcnow() - timedelta(hours=3)
    article = make.article(make.source(), title="Revised story", published_at=stored,
                           created_at=stored, modified_at=stored + timedelta(hours=1))
    page = text_of(client.get(f"/article/{article.id}-revised-story"))
    assert f'Updated <time datetime="{(stored + timedelta(hours=1)).isoformat()}"' in page


def test_the_video_link_always_leads_to_the_video_list_even_beside_a_video_section(
        client, make, redis_client) -> None:
    """A section called "video" holds whatever its feeds file there (often text
    stories); the menu's Video must list only articles that carry a video."""
    from hopper import content_version

    assert text_of(client.get("/about")).count(">Video</a>") == 1
    make.section("Video", position=5)
    content_version.bump(redis_client)   # as an admin's change to sections must
    page = text_of(client.get("/about"))
    nav = page.split('class="sections-nav"')[1].split("</nav>")[0]
    assert nav.count(">Video</a>") == 1 and 'href="/video"' in nav
    assert 'href="/section/video"' not in nav


def test_standfirst_is_left_out_when_it_repeats_the_body_and_shortened_at_a_word(
        client, make) -> None:
    source = make.source()
    body = "<p>" + "Rain fell across the north on Tuesday. " * 40 + "</p>"
    repeated = make.article(source, title="Rain", summary="Rain fell across the north on Tu…",
                            content_html=body)
    page = text_of(client.get(f"/article/{repeated.id}-rain"))
    assert 'class="standfirst"' not in page
    assert '<span class="reading-time">1 min read</span>' in page

    long = make.article(source, title="Long", summary="Ministers argued " * 40)
    page = text_of(client.get(f"/article/{long.id}-long"))
    standfirst = page.split('<p dir="auto" class="standfirst">')[1].split("</p>")[0]
    assert standfirst.endswith(("argued…", "Ministers…")) and len(standfirst) <= 301
    assert "reading-time" not in page    # only the summary is known


def test_static_pages_speak_to_readers_never_to_operators(client) -> None:
    for name in ("about", "advertise", "privacy", "terms", "contact"):
        page = text_of(client.get(f"/{name}"))
        article = page.split('class="static-page prose">')[1].split("</article>")[0]
        assert "<h1>" in article and len(article) > 100
        for instruction in ("Operator", "instance", "edit this"):
            assert instruction not in article


def test_an_article_retention_removed_answers_410_and_still_links_to_the_original(
        client, make, database) -> None:
    from models.retention import delete_expired_articles

    article = make.article(make.source("Daily Planet"), title="Last year's news",
                           url="http://127.0.0.1/original/old",
                           published_at=utcnow() - timedelta(days=400))
    with session_scope(database) as session:
        assert delete_expired_articles(session, utcnow() - timedelta(days=30)) == 1

    response = client.get(f"/article/{article.id}-last-year-s-news")
    page = text_of(response, 410)
    assert "Last year&#39;s news" in page and "Daily Planet" in page
    assert 'href="http://127.0.0.1/original/old"' in page and "Read at 127.0.0.1" in page
    assert client.get(f"/article/{article.id + 1000}-never-was").status_code == 404


def test_a_held_back_player_links_to_the_hosts_watch_page() -> None:
    from web.site.embeds import watch_url

    assert watch_url("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0") == \
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert watch_url("https://player.vimeo.com/video/76979871") == "https://vimeo.com/76979871"
    assert watch_url("https://player.vimeo.com/video/76979871?h=8272103f6e") == \
        "https://vimeo.com/76979871/8272103f6e"
    assert watch_url("https://www.youtube-nocookie.com/embed/videoseries?list=PL1") is None
    assert watch_url("https://evil.example/embed/abc123") is None
