"""What a reader gets from a feed's bodies and media, end to end: a loopback server serves
the feed, the real pipeline polls it, and the stored article is read back."""

from __future__ import annotations

import logging

import pytest
import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from models.articles import Article
from models.db import Database
from models.tags import Tag
from tests.sources import add_source
from tests.workers.ingest.conftest import TEST_LIMITS
from workers.ingest.parsing.normalise import MAX_TAGS_PER_ENTRY
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient

RSS = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
       'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
       'xmlns:media="http://search.yahoo.com/mrss/" '
       'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
       '<channel><title>Bodies</title><link>http://example.test/</link>{channel}{items}'
       '</channel></rss>')
# An element feedparser reads and lxml refuses: the same feed through the fallback.
BREAK_THE_XML = "<br>"


@pytest.fixture
def ingest(httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
           http: FeedClient):  # type: ignore[no-untyped-def]
    """Serve `document` as a new source's feed, poll it, return its articles in feed
    order (by entry key)."""
    def ingest_document(document: str, *, path: str = "/feed") -> list[Article]:
        httpserver.expect_request(path).respond_with_data(
            document.encode(), content_type="application/rss+xml")
        source_id = add_source(database, httpserver.url_for(path))
        ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                      limits=TEST_LIMITS)
        with database.reader() as session:
            return list(session.scalars(select(Article).where(Article.source_id == source_id)
                                        .order_by(Article.entry_key)))
    return ingest_document


def rss_item(body: str, *, guid: str = "g1", extra: str = "") -> str:
    return (f"<item><guid>{guid}</guid><title>Item {guid}</title>"
            f"<link>http://example.test/{guid}</link>"
            f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>{extra}</item>")


def test_a_srcset_with_commas_in_its_urls_is_stored_whole(ingest) -> None:
    cloudinary = "https://res.cloudinary.com/d/image/upload/w_{},h_{}/s.jpg"
    srcset = f"{cloudinary.format(300, 200)} 300w, {cloudinary.format(600, 400)} 600w"
    [article] = ingest(RSS.format(channel="", items=rss_item(
        f'<p>Intro</p><p><img src="https://cdn.example/s.jpg" srcset="{srcset}" '
        f'alt="A dog"></p><p>More</p>',
        extra='<media:content url="https://cdn.example/lead.jpg" medium="image"/>')))
    assert f'srcset="{srcset}"' in article.content_html


@pytest.mark.parametrize("placeholder", [
    'src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/real.jpg"',
    'src="/img/placeholder.jpg" data-lazy-src="/img/real.jpg"',
])
def test_a_lazily_loaded_picture_is_the_lead_image_not_its_placeholder(
        ingest, placeholder: str) -> None:
    [article] = ingest(RSS.format(channel="", items=rss_item(
        f'<p><img {placeholder} class="lazyload" alt="The harbour at dawn"></p>'
        '<p>Text.</p>')))
    assert article.image_url == "http://example.test/img/real.jpg"
    assert article.image_alt == "The harbour at dawn"
    assert article.content_html == "<p>Text.</p>"     # shown above the body, not twice


TEASER = "A teaser that sets the scene for the video and says nothing more of it. " * 3


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_short_content_with_a_video_beats_a_longer_description(ingest,
                                                                 breakage: str) -> None:
    [article] = ingest(RSS.format(channel=breakage, items=rss_item(
        '<p><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe></p>'
        "<p>Watch it.</p>", extra=f"<description>{TEASER}</description>")))
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in article.content_html
    assert "Watch it." in article.content_html and "teaser" not in article.content_html
    assert article.is_video
    assert article.video_embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert article.summary == TEASER.strip()


CLIP = '<p><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe></p>'
REPORT = "".join(f"<p>Paragraph {n} of the council's budget report, with its figures and "
                 "the reactions of the opposition to them.</p>" for n in range(12))


def test_a_clip_inside_a_long_report_leaves_it_an_article(ingest) -> None:
    """A news report that embeds a clip after six paragraphs is still a report: it keeps
    its lead picture, is not listed on /video, and the clip stays where the writer put it."""
    half = len(REPORT) // 2
    body = f'<p><img src="/img/council.jpg" alt="The council chamber"></p>' \
           f"{REPORT[:half]}{CLIP}{REPORT[half:]}"
    [article] = ingest(RSS.format(channel="", items=rss_item(body)))
    assert not article.is_video and article.video_embed_url is None
    assert article.image_url == "http://example.test/img/council.jpg"
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in article.content_html


@pytest.mark.parametrize("body", [
    f"<p>The launch, as it happened.</p>{CLIP}{REPORT}",        # the clip leads the body
    f"<p>{'Watch the launch as it happened. ' * 10}</p>{CLIP}",   # a short post about it
])
def test_a_body_about_its_clip_makes_a_video(ingest, body: str) -> None:
    [article] = ingest(RSS.format(channel="", items=rss_item(body)))
    assert article.is_video
    assert article.video_embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


def test_json_feed_content_html_beats_a_longer_summary(ingest) -> None:
    [article] = ingest('{"version": "https://jsonfeed.org/version/1.1", "title": "J", '
                       '"items": [{"id": "1", "title": "t", "content_html": "<p>z</p>", '
                       '"summary": "Summary <b>plain</b> and longer than the content"}]}')
    assert article.content_html == "<p>z</p>"
    assert article.summary == "Summary <b>plain</b> and longer than the content"


def test_a_content_that_is_the_description_cut_short_gives_way_to_it(ingest) -> None:
    whole = ("<p>The committee approved the budget after a long, difficult night.</p>"
             "<p>Ministers left at dawn.</p>")
    [article] = ingest(RSS.format(channel="", items=rss_item(
        "<p>The committee approved the budget after a long […]</p>",
        extra=f"<description><![CDATA[{whole}]]></description>")))
    assert article.content_html == whole


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_youtube_description_is_shown_as_the_text_it_is(ingest, breakage: str) -> None:
    [article] = ingest(
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:media='http://search.yahoo.com/mrss/'>"
        f"<title>Channel</title>{breakage}<entry><id>yt:video:dQw4w9WgXcQ</id><title>V</title>"
        "<link href='https://www.youtube.com/watch?v=dQw4w9WgXcQ'/>"
        "<published>2026-11-20T10:00:00Z</published><media:group>"
        "<media:description>I &lt;3 this. Use x&lt;y and &lt;template&gt; tags.\nTimestamps:"
        "\n0:00 Intro\n1:23 Part one &lt;script&gt;x&lt;/script&gt; end</media:description>"
        "</media:group></entry></feed>")
    assert article.content_html == (
        "<p>I &lt;3 this. Use x&lt;y and &lt;template&gt; tags.<br>Timestamps:<br>"
        "0:00 Intro<br>1:23 Part one &lt;script&gt;x&lt;/script&gt; end</p>")
    assert article.video_embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


def test_an_item_with_thousands_of_categories_makes_only_a_few_tags_and_says_so(
        ingest, database: Database, caplog: pytest.LogCaptureFixture) -> None:
    categories = "".join(f"<category>spam tag {n}</category>" for n in range(3000))
    with caplog.at_level(logging.WARNING, logger="workers.ingest.pipeline"):
        [article] = ingest(RSS.format(channel="", items=rss_item("<p>Body</p>",
                                                                 extra=categories)))
    with database.reader() as session:
        names = [tag.name for tag in session.get(Article, article.id).tags]  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(Tag)) == MAX_TAGS_PER_ENTRY
    assert sorted(names) == sorted(f"spam tag {n}" for n in range(MAX_TAGS_PER_ENTRY))
    assert f"source {article.source_id}: an entry names 3,000 tags; only its first " \
        f"{MAX_TAGS_PER_ENTRY} were kept" in caplog.messages


def test_the_lead_images_credit_is_kept_when_its_figure_leaves_the_body(ingest) -> None:
    [article] = ingest(RSS.format(channel="", items=rss_item(
        '<figure><img src="https://cdn.example/fig.jpg"><figcaption>Photo: Reuters'
        "</figcaption></figure><p>The actual article starts here.</p>")))
    assert (article.image_url, article.image_alt, article.image_caption) == (
        "https://cdn.example/fig.jpg", None, "Photo: Reuters")
    assert article.content_html == "<p>The actual article starts here.</p>"


def _pictured(caption: str, body: str) -> str:
    return rss_item(f"<p>{body}</p>", extra=(
        "<media:content url='https://cdn.example/boats.jpg' medium='image'>"
        "<media:title>Boats in the harbour</media:title>"
        f"<media:description>{caption}</media:description>"
        "<media:credit role='photographer'>Ana Lopes</media:credit></media:content>"))


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_the_lead_images_alt_text_and_caption_are_stored_apart_and_rewritten(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient, breakage: str) -> None:
    source_id = add_source(database, httpserver.url_for("/feed"))
    stored = []
    for caption, body in (("The fleet in port", "Storm"), ("The fleet sails again", "Calm")):
        httpserver.clear()
        httpserver.expect_request("/feed").respond_with_data(
            RSS.format(channel=breakage, items=_pictured(caption, body)).encode(),
            content_type="application/rss+xml")
        ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                      limits=TEST_LIMITS)
        with database.reader() as session:
            [article] = session.scalars(select(Article).where(Article.source_id == source_id))
            stored.append((article.id, article.image_alt, article.image_caption))
    assert stored == [
        (stored[0][0], "Boats in the harbour", "The fleet in port. Photo: Ana Lopes"),
        (stored[0][0], "Boats in the harbour", "The fleet sails again. Photo: Ana Lopes")]


ATOM = ("<feed xmlns='http://www.w3.org/2005/Atom' xmlns:media='http://search.yahoo.com/mrss/'>"
        "<title>Atom</title>{entries}</feed>")


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_thumbnail_the_feed_declares_too_small_to_lead_gives_way_to_the_bodys_picture(
        ingest, breakage: str) -> None:
    # Blogger: a 72×72 crop of the post's picture; GitHub releases: the author's avatar.
    blogger, release = ingest(ATOM.format(entries=breakage + (
        "<entry><id>a-blogger</id><title>Harbour walk</title>"
        "<link rel='alternate' href='http://example.test/walk.html'/>"
        "<updated>2026-11-02T10:00:00Z</updated><content type='html'>&lt;div&gt;&lt;img "
        "src='http://example.test/s320/walk.jpg' width='320'/&gt;&lt;br/&gt;We walked."
        "&lt;/div&gt;</content><media:thumbnail url='http://example.test/s72-c/walk.jpg' "
        "height='72' width='72'/></entry>"
        "<entry><id>b-release</id><title>v1.2.3</title>"
        "<link rel='alternate' href='http://example.test/releases/v1.2.3'/>"
        "<updated>2026-11-02T10:00:00Z</updated><content type='html'>&lt;p&gt;Fixes."
        "&lt;/p&gt;</content><media:thumbnail height='30' width='30' "
        "url='http://example.test/avatars/1?s=60'/></entry>")))
    assert blogger.image_url == "http://example.test/s320/walk.jpg"
    assert blogger.content_html == "<div><br>We walked.</div>"   # shown above, not twice
    assert release.image_url is None and release.content_html == "<p>Fixes.</p>"


PODCAST_ITEMS = (
    '<item><title>Episode 2</title><guid isPermaLink="false">pod-ep-2</guid>'
    "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
    '<enclosure url="http://example.test/ep2.mp3" length="1" type="audio/mpeg"/>'
    '<itunes:image href="http://example.test/ep2.jpg"/></item>'
    '<item><title>Episode 1</title><guid isPermaLink="false">pod-ep-1</guid>'
    "<pubDate>Mon, 26 Oct 2026 10:00:00 GMT</pubDate>"
    '<enclosure url="/ep1.mp3" length="1" type="audio/mpeg"/></item>')


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_podcast_episode_can_be_played_and_shows_its_artwork(ingest,
                                                               breakage: str) -> None:
    episode_1, episode_2 = ingest(RSS.format(
        channel=f'<itunes:image href="/show.jpg"/>{breakage}', items=PODCAST_ITEMS))
    assert episode_2.content_html == (
        '<p><audio controls="" src="http://example.test/ep2.mp3"></audio></p>')
    assert episode_2.image_url == "http://example.test/ep2.jpg"         # its own art
    assert episode_1.content_html.startswith('<p><audio controls="" src="http://')
    assert episode_1.content_html.endswith('/ep1.mp3"></audio></p>')
    assert episode_1.image_url is not None and episode_1.image_url.endswith("/show.jpg")
    # No page of their own: the file is no "original" to link (DESIGN.md's data rules).
    assert episode_1.url is None and episode_2.url is None


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_an_episode_described_only_by_its_itunes_summary_keeps_it(ingest,
                                                                  breakage: str) -> None:
    # Many podcast hosts describe an episode in <itunes:summary> alone (plain text).
    [episode] = ingest(RSS.format(channel=breakage, items=(
        '<item><title>Episode 3</title><guid isPermaLink="false">pod-ep-3</guid>'
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
        "<itunes:summary>Guests talk about tides &amp; &lt;harbours&gt;.</itunes:summary>"
        '<enclosure url="http://example.test/ep3.mp3" type="audio/mpeg"/></item>')))
    assert episode.summary == "Guests talk about tides & <harbours>."
    assert episode.content_html == (
        "<p>Guests talk about tides &amp; &lt;harbours&gt;.</p>"
        '<p><audio controls="" src="http://example.test/ep3.mp3"></audio></p>')


def test_a_json_feed_audio_attachment_can_be_played(ingest) -> None:
    [article] = ingest('{"version": "https://jsonfeed.org/version/1.1", "title": "J", '
                       '"items": [{"id": "1", "title": "Episode", "attachments": [{"url": '
                       '"https://example.test/a.mp3", "mime_type": "audio/mpeg"}]}]}')
    assert article.content_html == (
        '<p><audio controls="" src="https://example.test/a.mp3"></audio></p>')


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_media_rss_under_the_rss_boards_namespace_gives_the_lead_image(ingest,
                                                                       breakage: str) -> None:
    # Squarespace and many generators declare Media RSS as the RSS Advisory Board
    # publishes it (rssboard.org), not under Yahoo's original namespace.
    [article] = ingest(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:media="http://www.rssboard.org/media-rss"><channel><title>Studio</title>'
        f"<link>https://studio.example/</link>{breakage}<item><title>Spring show</title>"
        "<link>https://studio.example/blog/spring-show</link>"
        "<guid isPermaLink='false'>5c5273baf950b7d24bfdcb28</guid>"
        "<pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate>"
        "<description>&lt;p&gt;Our spring show opens on Friday.&lt;/p&gt;</description>"
        '<media:content type="image/jpeg" url="https://images.studio.example/show.jpg" '
        'medium="image" isDefault="true" width="1500" height="1000">'
        '<media:title type="plain">Spring show</media:title></media:content>'
        "</item></channel></rss>")
    assert article.image_url == "https://images.studio.example/show.jpg"
    assert article.content_html == "<p>Our spring show opens on Friday.</p>"


@pytest.mark.parametrize("breakage", ["", BREAK_THE_XML])
def test_a_feedburner_item_links_to_the_article_not_to_feedburners_redirect(
        ingest, breakage: str) -> None:
    # As National Geographic's FeedBurner feed wrote its items (2017).
    [article] = ingest(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel>'
        f"<title>National Geographic News</title>{breakage}<item>"
        "<title>Ancient Maya King Found in 'Centipede Dynasty' Tomb</title>"
        "<link>http://feeds.nationalgeographic.com/~r/ng/News/News_Main/~3/UcW2Wf6VPPM/</link>"
        "<description>A royal burial.</description>"
        "<pubDate>Mon, 18 Sep 2017 21:33:59 GMT</pubDate>"
        '<guid isPermaLink="false">3a40be9f-0926-4a57-b857-deec80305ebb</guid>'
        "<feedburner:origLink>http://news.nationalgeographic.com/2017/09/"
        "ancient-maya-king-tomb-spd/</feedburner:origLink></item></channel></rss>")
    assert article.url == ("http://news.nationalgeographic.com/2017/09/"
                           "ancient-maya-king-tomb-spd/")
    assert article.entry_key == "3a40be9f-0926-4a57-b857-deec80305ebb"


def test_a_feedburner_atom_entry_links_to_the_article(ingest) -> None:
    [article] = ingest(
        "<feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'><title>B</title>"
        "<entry><id>tag:blog.example,2016:post-1</id><title>Post</title>"
        "<link rel='alternate' href='http://feedproxy.google.com/~r/Blog/~3/x1/'/>"
        "<updated>2016-05-01T10:00:00Z</updated><content type='html'>Hi.</content>"
        "<feedburner:origLink>https://blog.example/2016/05/post/</feedburner:origLink>"
        "</entry></feed>")
    assert article.url == "https://blog.example/2016/05/post/"
