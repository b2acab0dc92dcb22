"""clean_entries: safe HTML, absolute URLs, summaries, lead images, video, dates, duplicates."""

from __future__ import annotations

import dataclasses
import html
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.workers.ingest.golden import FEEDS
from tests.workers.ingest.test_real_feeds import REAL_FEEDS
from workers.ingest.cleaning.sanitise import (
    _CLEANER,
    _settled_iframes,
    sanitise_html,
    summarise,
    without_image,
)
from workers.ingest.errors import ParseError
from workers.ingest.records import MediaItem, ParsedEntry, ParsedFeed
from workers.ingest.steps.clean import (
    clean_entries,
    clean_entry,
    content_hash,
    newest_entries,
    with_tag_cap_warning,
)
from workers.ingest.steps.parse import parse_feed

ROOT = Path(__file__).resolve().parents[4]

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BASE = "https://news.example/feed.xml"


def _entry(**fields: object) -> ParsedEntry:
    defaults: dict[str, object] = {
        "guid": "g-1", "link": "https://news.example/posts/1", "title": "Title",
        "author": None, "summary_html": "", "content_html": "<p>Body</p>",
        "published_at": datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "updated_at": None}
    return ParsedEntry(**{**defaults, **fields})  # type: ignore[arg-type]


def _clean(**fields: object):
    return clean_entry(_entry(**fields), base_url=BASE, now=NOW)


def _feed(*entries: ParsedEntry) -> ParsedFeed:
    return ParsedFeed(title="F", site_url=None, entries=entries, format="rss20")


# -- the hostile golden feed ------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile():
    feed = parse_feed((FEEDS / "hostile-html.xml").read_bytes(), {},
                      "https://hostile.example/feed")
    return clean_entries(feed, base_url="https://hostile.example/feed", now=NOW)


@pytest.mark.parametrize("forbidden", [
    "<script", "alert(", "<style", "display: none", "onclick", "onerror", "onmouseover",
    "javascript:", "JaVaScRiPt", "data:", "<form", "<input", "<button", "<iframe",
    "evil.example", "<object", "<svg", "track.example", "tracker.gif", "position:fixed",
    "<!--", "<video", "<audio", "poster.jpg", "cannot play",
])
def test_hostile_html_loses_everything_dangerous(hostile, forbidden: str) -> None:
    article = hostile[0]
    assert forbidden.lower() not in article.content_html.lower()
    assert forbidden.lower() not in (article.title + article.summary).lower()


def test_hostile_html_keeps_the_article(hostile) -> None:
    html = hostile[0].content_html
    assert "Welcome to the <b>real</b> article." in html
    assert '<a href="https://hostile.example/about" rel="noopener noreferrer nofollow">' in html
    assert "<p>The end.</p>" in html
    # The real chart leads the article, so the body does not show it a second time.
    assert hostile[0].image_url == "https://hostile.example/img/chart.png"
    assert hostile[0].image_alt == "The real chart"
    assert "chart.png" not in html
    assert hostile[0].title == "Totally normal post"


def test_plain_text_is_escaped_not_trusted(hostile) -> None:
    assert hostile[1].content_html == "Use &lt;b&gt; for bold &amp; stay safe"
    assert hostile[1].summary == "Use <b> for bold & stay safe"      # text, escaped on output


def test_atom_text_content_is_escaped() -> None:
    feed = parse_feed((FEEDS / "atom10.xml").read_bytes(), {}, "https://code.example/atom")
    plain = clean_entries(feed, base_url="https://code.example/atom", now=NOW)[2]
    assert plain.title == "Plain <text> titles & bodies"
    assert plain.content_html == (
        "<p>Line one &lt;b&gt;not bold&lt;/b&gt;</p><p>Second paragraph.</p>")


# -- sanitiser details ------------------------------------------------------------------------

# A lead image named by the feed, so that the body's images stay in the body.
LEAD = (MediaItem(url="https://cdn.example/lead.jpg", kind="image"),)


@pytest.mark.parametrize(("alt", "expected_alt", "expected_caption"), [
    ("", None, "Photo: Reuters"),
    ("Photo", None, "Photo: Reuters"),                         # says nothing: dropped
    ("A flooded street in Valencia", "A flooded street in Valencia", "Photo: Reuters"),
    # Never the same words twice: case, spacing and closing punctuation aside.
    ("Photo: Reuters", None, "Photo: Reuters"),
    ("photo:  REUTERS.", None, "Photo: Reuters"),
    ("A flooded street, Photo: Reuters", "A flooded street, Photo: Reuters", None),
])
def test_the_lead_images_caption_stays_with_it_when_its_figure_leaves_the_body(
        alt: str, expected_alt: str | None, expected_caption: str | None) -> None:
    article = _clean(content_html=(
        f'<figure><img src="https://cdn.example/fig.jpg?w=600" alt="{alt}">'
        "<figcaption>Photo: <em>Reuters</em></figcaption></figure>"
        "<p>The actual article starts here.</p>"
        '<figure><img src="https://cdn.example/late.jpg"><figcaption>Later</figcaption>'
        "</figure>"))
    assert article.image_url == "https://cdn.example/fig.jpg?w=600"
    assert (article.image_alt, article.image_caption) == (expected_alt, expected_caption)
    assert "Reuters" not in article.content_html and "<figcaption>Later" in article.content_html


def test_a_caption_that_says_the_alt_text_again_is_shown_once() -> None:
    article = _clean(content_html='<figure><img src="https://cdn.example/fig.jpg" '
                                  'alt="The harbour at dawn"><figcaption>The Harbour at '
                                  "dawn.</figcaption></figure><p>Text</p>")
    assert (article.image_alt, article.image_caption) == (None, "The Harbour at dawn.")


@pytest.mark.parametrize("text", ["Harbour bridge reopens", "harbour bridge reopens."])
def test_an_image_text_that_repeats_the_headline_is_neither_read_out_nor_printed(
        text: str) -> None:
    # WordPress themes set a featured image's alt to the post's title: under the
    # picture, the headline would be shown twice.
    article = _clean(title="Harbour bridge reopens", content_html="<p>Text</p>",
                     media=(MediaItem(url="https://cdn.example/b.jpg", kind="image",
                                      title=text, description=text),))
    assert (article.image_url, article.image_alt, article.image_caption) == (
        "https://cdn.example/b.jpg", None, None)


def test_a_pictures_title_is_its_alt_text_and_its_description_the_caption() -> None:
    article = _clean(content_html="<p>Text</p>", media=(MediaItem(
        url="https://cdn.example/b.jpg", kind="image", title="Boats in the harbour",
        description="The fleet stayed in port  on Monday", credit=" Ana\x00 Lopes "),))
    assert (article.image_alt, article.image_caption) == (
        "Boats in the harbour", "The fleet stayed in port on Monday. Photo: Ana Lopes")


def test_a_description_without_a_title_stays_the_alt_text_and_a_credit_the_caption(
) -> None:
    # Mastodon: each attachment's description is what the picture shows.
    article = _clean(content_html="<p>Text</p>", media=(MediaItem(
        url="https://cdn.example/b.jpg", kind="image", description="A cat on a sofa",
        credit="AP"),))
    assert (article.image_alt, article.image_caption) == ("A cat on a sofa", "Photo: AP")


@pytest.mark.parametrize(("figcaption", "caption"), [
    ("Ferries at dawn", "Ferries at dawn. Photo: AP"),
    ("Ferries at dawn!", "Ferries at dawn! Photo: AP"),
    ("Ferries leave Japan", "Ferries leave Japan. Photo: AP"),      # "AP", not a word
    ("Ferries at dawn (Photo: AP)", "Ferries at dawn (Photo: AP)"),   # named already
])
def test_the_feeds_credit_follows_the_figures_caption_once(figcaption: str,
                                                           caption: str) -> None:
    article = _clean(content_html='<figure><img src="https://cdn.example/fig.jpg">'
                                  f"<figcaption>{figcaption}</figcaption></figure><p>Text</p>",
                     media=(MediaItem(url="https://cdn.example/fig.jpg", kind="image",
                                      description="Not this one", title="Boats",
                                      credit="AP"),))
    assert (article.image_alt, article.image_caption) == ("Boats", caption)


def test_a_long_caption_is_cut_and_keeps_its_credit_whole() -> None:
    article = _clean(content_html="<p>Text</p>", media=(MediaItem(
        url="https://cdn.example/b.jpg", kind="image", title="Boats",
        description="word " * 200, credit="Ana Lopes"),))
    assert article.image_caption is not None and len(article.image_caption) == 500
    assert article.image_caption.endswith(". Photo: Ana Lopes")


def test_a_caption_goes_with_the_feeds_own_image_shown_again_at_another_size() -> None:
    article = _clean(content_html='<figure><img src="https://cdn.example/fig.jpg?w=600">'
                                  "<figcaption>Photo: AP</figcaption></figure><p>Text</p>",
                     media=(MediaItem(url="https://cdn.example/fig.jpg?w=1200", kind="image"),))
    assert (article.image_alt, article.image_caption, article.content_html) == (
        None, "Photo: AP", "<p>Text</p>")


def test_a_caption_is_kept_only_for_the_image_that_leaves_the_body() -> None:
    article = _clean(content_html='<p>Text</p><figure><img src="https://cdn.example/b.jpg">'
                                  "<figcaption>Photo: AP</figcaption></figure>", media=LEAD)
    assert (article.image_alt, article.image_caption) == (None, None)
    assert "<figcaption>Photo: AP</figcaption>" in article.content_html


AUDIO = MediaItem(url="https://pod.example/ep.mp3", kind="audio", mime_type="audio/mpeg")


def test_an_audio_enclosure_is_played_in_the_body_unless_the_body_has_it() -> None:
    assert _clean(content_html="<p>Notes</p>", media=(AUDIO,)).content_html == (
        '<p>Notes</p><p><audio controls="" src="https://pod.example/ep.mp3"></audio></p>')
    linked = '<p><a href="https://pod.example/ep.mp3">Listen</a></p>'
    assert _clean(content_html=linked, media=(AUDIO,)).content_html.count("ep.mp3") == 1


@pytest.mark.parametrize("src", ["mailto:a@b.example", "javascript:alert(1)",
                                 "data:audio/mpeg;base64,AA"])
def test_audio_and_video_play_only_web_files(src: str) -> None:
    html = sanitise_html(f'<audio controls src="{src}"></audio><video src="{src}"></video>',
                         base_url=BASE)
    assert "src=" not in html


@pytest.mark.parametrize("player", [
    '<video controls><source src="javascript:alert(1)"><source src="data:video/mp4;base64,AA">'
    "Your browser cannot play this video.</video>",
    '<VIDEO poster="/poster.jpg"><source src="ftp://files.example/v.mp4"></VIDEO>',
    '<video src="mailto:a@b.example"></video>',
    '<audio controls><source src="javascript:alert(1)" type="audio/mpeg"></audio>',
])
def test_a_player_with_nothing_it_may_play_is_dropped_whole(player: str) -> None:
    assert sanitise_html(f"<p>Before</p>{player}<p>After</p>", base_url=BASE) == (
        "<p>Before</p><p>After</p>")


def test_a_player_keeps_the_sources_it_may_play() -> None:
    html = sanitise_html('<video controls><source src="javascript:alert(1)">'
                         '<source src="clips/v.webm" type="video/webm"></video>', base_url=BASE)
    assert html == ('<video controls=""><source><source src="https://news.example/clips/v.webm"'
                    ' type="video/webm"></video>')


def test_the_podcasts_artwork_leads_only_its_audio_entries() -> None:
    art = "https://pod.example/show.jpg"
    episode = clean_entry(_entry(content_html="", media=(AUDIO,)), base_url=BASE, now=NOW,
                          artwork_url=art)
    post = clean_entry(_entry(content_html="<p>A post</p>"), base_url=BASE, now=NOW,
                       artwork_url=art)
    own = clean_entry(_entry(content_html="", media=(AUDIO, MediaItem(
        url="https://pod.example/ep.jpg", kind="image", is_thumbnail=True))),
        base_url=BASE, now=NOW, artwork_url=art)
    assert (episode.image_url, post.image_url, own.image_url) == (
        art, None, "https://pod.example/ep.jpg")


def test_relative_urls_resolve_against_the_article_link() -> None:
    article = _clean(content_html='<a href="../about">a</a><img src="pic.jpg" '
                                  'srcset="pic-2x.jpg 2x, /pic-3x.jpg 3x">', media=LEAD)
    assert 'href="https://news.example/about"' in article.content_html
    assert 'src="https://news.example/posts/pic.jpg"' in article.content_html
    assert ('srcset="https://news.example/posts/pic-2x.jpg 2x, '
            'https://news.example/pic-3x.jpg 3x"') in article.content_html


def test_srcset_urls_may_hold_commas_and_data_placeholders_are_dropped() -> None:
    cloudinary = "https://res.cloudinary.com/d/image/upload/w_{},h_{}/s.jpg"
    html = sanitise_html(
        f'<img src="/a.jpg" srcset="{cloudinary.format(300, 200)} 300w, '
        f'{cloudinary.format(600, 400)} 600w">'
        '<img src="/b.jpg" srcset="data:image/gif;base64,AAAA 1x, b-2x.jpg 2x">',
        base_url="http://h/x/")
    assert (f'srcset="{cloudinary.format(300, 200)} 300w, {cloudinary.format(600, 400)} '
            '600w"') in html
    assert 'srcset="http://h/x/b-2x.jpg 2x"' in html
    assert "AAAA" not in html


@pytest.mark.parametrize(("lazy", "expected"), [
    ('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/real.jpg" '
     'class="lazyload" alt="Real">', '<img src="http://h/img/real.jpg" alt="Real"'),
    ('<img src="http://h/grey.gif" data-lazy-src="http://h/y.jpg">', '<img src="http://h/y.jpg"'),
    ('<img src="/blank.gif" data-original="big.jpg?a=1&amp;b=2">',
     '<img src="http://h/x/big.jpg?a=1&amp;b=2"'),
    ('<img src="data:image/gif;base64,AA" data-srcset="/s-1.jpg 1x, /s-2.jpg 2x">',
     '<img src="http://h/s-1.jpg" srcset="http://h/s-1.jpg 1x, http://h/s-2.jpg 2x"'),
    ('<picture><source data-srcset="/w.webp 1x" type="image/webp">'
     '<img src="data:," data-src="/w.jpg"></picture>',
     '<picture><source srcset="http://h/w.webp 1x" type="image/webp"><img src="http://h/w.jpg"'),
])
def test_lazily_loaded_pictures_are_promoted_over_their_placeholder(
        lazy: str, expected: str) -> None:
    html = sanitise_html(f"<p>{lazy}</p>", base_url="http://h/x/")
    assert expected in html
    assert "data:" not in html and "gif" not in html and "data-" not in html


def test_a_lazy_attribute_holding_a_data_url_promotes_nothing() -> None:
    assert sanitise_html('<p>a<img src="data:image/gif;base64,AA" '
                         'data-src="data:image/png;base64,BB"></p>', base_url=BASE) == "<p>a</p>"


def test_relative_urls_resolve_against_the_feed_when_the_entry_has_no_link() -> None:
    article = _clean(link=None, content_html='<img src="pic.jpg" alt="">', media=LEAD)
    assert 'src="https://news.example/pic.jpg"' in article.content_html


@pytest.mark.parametrize("tracker", [
    '<img src="https://t.example/p.gif" width="1" height="1">',
    "<img src='https://t.example/p.gif' height=1 width=1 />",
    '<img src="https://t.example/p.gif" width="0" height="0" alt="">',
    '<img src="https://t.example/p.gif" style="width: 1px; height: 1px">',
    '<IMG SRC="https://t.example/p.gif" WIDTH="1" HEIGHT="1">',
])
def test_tracking_pixels_are_dropped(tracker: str) -> None:
    html = sanitise_html(f"<p>Text</p>{tracker}", base_url=BASE)
    assert html == "<p>Text</p>"


@pytest.mark.parametrize("img", [
    '<img src="javascript:alert(1)" width="600" height="400" alt="A view">',
    "<IMG SRC=' JavaScript:alert(1)'>",
    '<img src="vbscript:msgbox(1)" width="600">',
    '<img src="mailto:editor@news.example" alt="Write to us">',
    '<img src="file:///etc/hostname">',
])
def test_an_image_with_no_picture_to_show_is_left_out_not_an_empty_box(img: str) -> None:
    html = sanitise_html(f"<p>Text</p><p>{img}</p>", base_url=BASE)
    assert html == "<p>Text</p><p></p>"


def test_an_image_whose_src_cannot_be_shown_keeps_its_srcset() -> None:
    html = sanitise_html('<img src="javascript:x" srcset="/a.png 1x">', base_url=BASE)
    assert html == '<img srcset="https://news.example/a.png 1x" loading="lazy">'


def test_images_wider_than_a_pixel_are_kept_and_lazy() -> None:
    html = sanitise_html('<img src="/a.png" width="1" height="300">', base_url=BASE)
    assert html == ('<img src="https://news.example/a.png" width="1" height="300" '
                    'loading="lazy">')


@pytest.mark.parametrize(("iframe", "embed"), [
    ('<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ('<iframe src="//youtube.com/embed/dQw4w9WgXcQ?autoplay=1"></iframe>',
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ('<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe>',
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ('<iframe src="https://player.vimeo.com/video/76979871?h=abc"></iframe>',
     "https://player.vimeo.com/video/76979871"),
])
def test_allow_listed_video_iframes_are_kept_and_rewritten(iframe: str, embed: str) -> None:
    article = _clean(content_html=f"<p>Watch</p>{iframe}")
    assert f'<iframe src="{embed}"' in article.content_html
    assert article.video_embed_url == embed and article.is_video


@pytest.mark.parametrize("iframe", [
    '<iframe src="https://evil.example/embed/dQw4w9WgXcQ"></iframe>',
    '<iframe src="https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
])
def test_other_iframes_are_removed(iframe: str) -> None:
    article = _clean(content_html=f"<p>Watch</p>{iframe}")
    assert "iframe" not in article.content_html
    assert not article.is_video


def test_every_link_gets_rel_noopener_noreferrer_nofollow() -> None:
    html = sanitise_html('<a href="https://x.example/" rel="opener" target="_blank">x</a>',
                         base_url=BASE)
    assert html == '<a href="https://x.example/" rel="noopener noreferrer nofollow">x</a>'


# -- text -----------------------------------------------------------------------------------

def test_summary_is_about_300_characters_cut_at_a_word_with_an_ellipsis() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    article = _clean(content_html=f"<p>{words}</p>")
    assert article.summary.endswith("…")
    assert 250 <= len(article.summary) <= 301
    assert article.summary[:-1] in words and words[len(article.summary) - 1] == " "


def test_a_summary_read_from_a_body_leaves_its_tables_code_and_figures_out() -> None:
    body = ("<table><tr><th>Year</th><th>Passengers</th></tr>"
            "<tr><td>2024</td><td>1,234,567</td></tr></table>"
            "<pre><code>curl -X POST https://api.example.org/v1</code></pre>"
            '<figure><img src="/a.jpg" alt="A bridge"><figcaption>The bridge in 1990'
            "</figcaption></figure><p>The harbour bridge reopened on Tuesday.</p>")
    assert _clean(content_html=body).summary == "The harbour bridge reopened on Tuesday."
    # A body that is only a table still gets the table's words rather than nothing.
    only_table = "<table><tr><td>Results</td><td>42</td></tr></table>"
    assert _clean(content_html=only_table).summary == "Results 42"


def test_short_summaries_are_left_whole() -> None:
    assert summarise("Short and sweet.") == "Short and sweet."


def test_summary_prefers_the_feed_summary_and_reads_block_ends_as_spaces() -> None:
    article = _clean(summary_html="<p>One</p><p>Two&nbsp;&amp; three</p>",
                     content_html="<p>A much longer body that is not the summary.</p>")
    assert article.summary == "One Two & three"              # no-break space too


def test_titles_are_plain_text() -> None:
    assert _clean(title="A <em>b</em> &amp; c &#8211; d").title == "A b & c – d"


def test_a_title_is_a_headline_not_a_document() -> None:
    long = _clean(title="Huge " + "w " * 2_000_000).title
    assert len(long) <= 401 and long.startswith("Huge w w") and long.endswith("w…")
    real = "Ministers agree a plan for the coast after a long night of talks " * 4
    assert _clean(title=real).title == real.strip()     # 268 characters: whole


def test_a_poll_reads_only_the_newest_entries_of_a_huge_feed() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [_entry(guid=f"g{n}", published_at=start + timedelta(hours=n)) for n in range(6)]
    entries.insert(2, _entry(guid="undated", published_at=None))
    feed = newest_entries(_feed(*entries), limit=3)
    assert [entry.guid for entry in feed.entries] == ["undated", "g4", "g5"]
    assert feed.warnings == ("the feed holds 7 entries; only the newest 3 were read",)
    assert newest_entries(_feed(*entries[:3]), limit=3).warnings == ()


def test_an_untitled_entry_is_named_after_its_text() -> None:
    assert _clean(title="", content_html="<p>Only a body here.</p>").title == \
        "Only a body here."


# -- images and video -----------------------------------------------------------------------

def test_of_one_pictures_sizes_the_widest_leads() -> None:
    """A media:group lists one picture in several sizes, often the smallest first."""
    sizes = [MediaItem(url=f"https://cdn.example/{w}.jpg", kind="image", width=w, height=w)
             for w in (10, 1200, 640)]
    assert _clean(media=tuple(sizes)).image_url.endswith("1200.jpg")
    unknown = MediaItem(url="https://cdn.example/main.jpg", kind="image")
    assert _clean(media=(unknown, sizes[0])).image_url.endswith("main.jpg")


def test_lead_image_prefers_media_content_then_thumbnail_then_enclosure_then_img() -> None:
    body = '<p><img src="/inline.jpg" alt="A street in the rain"></p>'
    content = MediaItem(url="https://cdn.example/content.jpg", kind="image")
    thumb = MediaItem(url="https://cdn.example/thumb.jpg", kind="image", is_thumbnail=True)
    enclosure = MediaItem(url="https://cdn.example/enclosure.jpg", kind="image",
                          mime_type="image/jpeg")
    assert _clean(content_html=body, media=(thumb, content)).image_url.endswith("content.jpg")
    assert _clean(content_html=body, media=(thumb,)).image_url.endswith("thumb.jpg")
    assert _clean(content_html=body, media=(enclosure,)).image_url.endswith("enclosure.jpg")
    inline = _clean(content_html=body)
    assert (inline.image_url, inline.image_alt) == ("https://news.example/inline.jpg",
                                                    "A street in the rain")


def test_a_tracker_or_emoji_never_leads() -> None:
    article = _clean(content_html=(
        '<img src="https://s.w.org/images/core/emoji/15.0.3/72x72/1f600.png" alt="😀">'
        '<img src="/t.gif" width="1" height="1"><img src="/real.jpg" alt="Real">'))
    assert article.image_url == "https://news.example/real.jpg"


def test_a_youtube_link_makes_a_video_article() -> None:
    article = _clean(link="https://www.youtube.com/watch?v=Ab12Cd34Ef5&t=10")
    assert article.video_embed_url == "https://www.youtube-nocookie.com/embed/Ab12Cd34Ef5"
    assert article.is_video and article.video_url is None


def test_a_video_enclosure_makes_a_video_article() -> None:
    video = MediaItem(url="https://cdn.example/v.mp4", kind="video", mime_type="video/mp4")
    article = _clean(media=(video,))
    assert (article.video_url, article.is_video) == ("https://cdn.example/v.mp4", True)


def test_an_audio_enclosure_is_no_video() -> None:
    audio = MediaItem(url="https://cdn.example/a.mp3", kind="audio", mime_type="audio/mpeg")
    assert not _clean(media=(audio,)).is_video


# -- dates ----------------------------------------------------------------------------------

def test_future_dates_are_clamped_to_the_poll_time() -> None:
    article = _clean(published_at=NOW + timedelta(days=400),
                     updated_at=NOW + timedelta(days=1))
    assert (article.published_at, article.updated_at) == (NOW, NOW)


def test_a_missing_published_date_is_the_updated_date_else_the_poll_time() -> None:
    updated = datetime(2026, 11, 20, tzinfo=UTC)
    assert _clean(published_at=None, updated_at=updated).published_at == updated
    assert _clean(published_at=None).published_at == NOW


# -- identity and change --------------------------------------------------------------------

def test_entry_hash_is_the_sha256_of_the_entry_key() -> None:
    import hashlib
    article = _clean(guid="urn:x:1")
    assert article.entry_hash == hashlib.sha256(b"urn:x:1").hexdigest()


def test_content_hash_ignores_dates_but_not_what_a_reader_sees() -> None:
    base = _clean()
    assert _clean(updated_at=NOW - timedelta(hours=1)).content_hash == base.content_hash
    assert _clean(published_at=NOW - timedelta(days=1)).content_hash == base.content_hash
    for changed in (_clean(title="Other"), _clean(content_html="<p>Body!</p>"),
                    _clean(link="https://news.example/posts/2"),
                    _clean(media=(MediaItem(url="https://c.example/i.jpg", kind="image"),))):
        assert changed.content_hash != base.content_hash


def test_content_hash_counts_the_lead_pictures_words_only_when_it_has_some() -> None:
    def pictured(**texts: str) -> MediaItem:
        return MediaItem(url="https://c.example/i.jpg", kind="image", **texts)
    plain = _clean(media=(pictured(),))
    # A picture without words hashes as before they counted: upgrading rewrites nothing.
    assert plain.content_hash == content_hash(plain.title, plain.content_html, plain.summary,
                                              plain.image_url, plain.url)
    captioned = _clean(media=(pictured(title="Boats", description="At dawn"),))
    for corrected in (pictured(title="Boats", description="At dusk"),
                      pictured(title="Gulls", description="At dawn"),
                      pictured(title="Boats", description="At dawn", credit="AP")):
        assert _clean(media=(corrected,)).content_hash != captioned.content_hash


def test_entries_repeated_inside_one_feed_keep_the_most_complete_copy_in_first_place() -> None:
    short = _entry(guid="a", title="Short", content_html="<p>x</p>")
    other = _entry(guid="b", title="Other")
    full = _entry(guid="a", title="Full", content_html="<p>x and much more</p>")
    again = _entry(guid="a", title="Again", content_html="<p>x</p>")
    articles = clean_entries(_feed(short, other, full, again), base_url=BASE, now=NOW)
    assert [a.title for a in articles] == ["Full", "Other"]


def test_equal_copies_keep_the_first() -> None:
    first = _entry(guid="a", title="First")
    second = dataclasses.replace(first, title="Secon")
    articles = clean_entries(_feed(first, second), base_url=BASE, now=NOW)
    assert [a.title for a in articles] == ["First"]


def test_a_summary_read_from_the_start_of_a_long_body_equals_one_read_from_all_of_it() -> None:
    from workers.ingest.cleaning.sanitise import leading_text, plain_text
    for n in (1, 7, 40, 400):
        body = sanitise_html("".join(
            f'<p>Paragraph {i} has <a href="/l/{i}">a link &amp; an entity</a> and '
            f'<img src="/i/{i}.png" alt="x > y"> an image.</p>' for i in range(n)),
            base_url=BASE)
        assert summarise(leading_text(body)) == summarise(plain_text(body))


@pytest.mark.parametrize("alt", ["image", "Inline", " PHOTO ", "IMG_1234.jpg",
                                 "DSC00042", "hero-banner_v2.webp", "featured image",
                                 "https://cdn.example/a.jpg", "Untitled"])
def test_meaningless_alt_text_is_dropped_from_the_lead_and_the_body(alt: str) -> None:
    media = (MediaItem(url="https://cdn.example/lead.jpg", kind="image", description=alt),)
    article = _clean(content_html=f'<p>Words</p><img src="/other.jpg" alt="{alt}">',
                     media=media)
    assert article.image_alt is None
    assert 'alt=""' in article.content_html and alt.strip() not in article.content_html


def test_meaningful_alt_text_is_kept() -> None:
    article = _clean(content_html='<p>Words</p><img src="/a.jpg" alt="Firefighters at dawn">')
    assert article.image_alt == "Firefighters at dawn"


@pytest.mark.parametrize("body", [
    '<figure><img src="https://cdn.example/lead.jpg?w=600" alt="x">'
    "<figcaption>The lead, again</figcaption></figure><p>Story text.</p>",
    '<p><a href="https://cdn.example/lead.jpg"><img src="https://cdn.example/lead.jpg">'
    "</a></p><p>Story text.</p>",
    '<img src="https://cdn.example/lead.jpg"><p>Story text.</p>',
])
def test_the_lead_image_never_repeats_in_the_body(body: str) -> None:
    media = (MediaItem(url="https://cdn.example/lead.jpg", kind="image"),)
    article = _clean(content_html=body, media=media)
    assert article.image_url == "https://cdn.example/lead.jpg"
    assert article.content_html == "<p>Story text.</p>"


def test_a_lead_image_taken_from_the_body_leaves_the_body_and_other_images_stay() -> None:
    article = _clean(content_html=('<p><img src="/first.jpg" alt="Crowd"></p><p>Text.</p>'
                                   '<p><img src="/second.jpg" alt="Stage"></p>'))
    assert article.image_url == "https://news.example/first.jpg"
    assert "first.jpg" not in article.content_html
    assert '<img src="https://news.example/second.jpg" alt="Stage"' in article.content_html


# nh3 writes an iframe's children as raw text: here, a closing tag spelt around the lead
# image. Removing that image from the body must not close the iframe early.
IFRAME_FALLBACK_ATTACK = ('<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></ifr'
                          '<img src="https://cdn.example/lead.jpg">ame><script>alert(1)</script>'
                          "</iframe><p>Story text.</p>")


def test_an_iframes_fallback_text_is_never_read_as_markup() -> None:
    article = _clean(content_html=IFRAME_FALLBACK_ATTACK,
                     media=(MediaItem(url="https://cdn.example/lead.jpg", kind="image"),))
    assert "<script" not in article.content_html
    assert "alert(" not in article.content_html
    assert re.search(r"<iframe\b[^>]*></iframe><p>Story text\.</p>", article.content_html)


def test_no_image_is_read_from_an_iframes_fallback_text() -> None:
    article = _clean(content_html=('<iframe src="https://player.vimeo.com/video/76979871">'
                                   '<img src="/fallback.jpg" alt="Fallback"></iframe>'
                                   "<p>Story text.</p>"))
    assert "fallback.jpg" not in (article.image_url or "")
    assert "fallback.jpg" not in article.content_html


EMBED = ('<p>Watch:</p><iframe src="https://www.youtube.com/embed/abcdefghijk" width="560" '
         'allowfullscreen title="Launch">Your browser cannot play this.</iframe>')


def test_an_embed_is_written_the_same_by_every_process() -> None:
    """nh3 adds an iframe's `loading`, `sandbox` and `referrerpolicy` from a hash map seeded
    afresh in each process: the same embed came out in one of six orders, and an article's
    content hash changed with the worker that polled it. Eight processes, one text."""
    script = ("from workers.ingest.cleaning.sanitise import sanitise_html; "
              f"print(sanitise_html({EMBED!r}, base_url=None))")
    written = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True, cwd=ROOT).stdout for _ in range(8)}
    assert len(written) == 1
    assert written.pop().strip() == sanitise_html(EMBED, base_url=None) == (
        '<p>Watch:</p><iframe src="https://www.youtube-nocookie.com/embed/abcdefghijk" '
        'width="560" allowfullscreen="" title="Launch" loading="lazy" '
        'referrerpolicy="strict-origin-when-cross-origin" '
        'sandbox="allow-scripts allow-same-origin allow-presentation"></iframe>')


FEEDPARSER = FEEDS.parent / "feedparser"
_IMAGE_EDGE_CASES = [
    '<figure><a href="/big.jpg"><img src="/a.jpg" alt="x"></a><figcaption>Cap &lt;b&gt;'
    '</figcaption></figure><p>One <img src="/b.jpg" alt="a&gt;b &quot;c&quot;">two</p>',
    '<div><picture><source srcset="/a.webp 1x"><img src="/a.jpg"></picture></div>'
    '<table><tr><td><img src="/c.jpg"></td></tr></table><p><img src="/d.jpg"></p>',
    '<figure><figure><img src="/a.jpg"></figure><figcaption>Outer</figcaption></figure>'
    '<ul><li><a href="/x"> <img src="/a.jpg"> </a></li></ul><pre><img src="/e.jpg"></pre>',
    '<p>Text <a href="/p"><img src="/a.jpg"></a> and <em><img src="/f.jpg" alt=""></em></p>'
    '<video controls src="/v.mp4"><img src="/a.jpg"></video><blockquote><img src="/a.jpg">',
]


def _bodies() -> list[tuple[str, str]]:
    """(name, sanitised body) of every entry of every golden and real feed, and the attack."""
    found = [("iframe attack", sanitise_html(IFRAME_FALLBACK_ATTACK, base_url=BASE))]
    found.extend((f"edge case #{number}", sanitise_html(body, base_url=BASE))
                 for number, body in enumerate(_IMAGE_EDGE_CASES))
    for path in sorted([*FEEDS.iterdir(), *REAL_FEEDS.iterdir(), *FEEDPARSER.rglob("*")]):
        if path.suffix not in {".xml", ".rss", ".atom", ".json"} or ".expected" in path.name:
            continue
        try:
            feed = parse_feed(path.read_bytes(), {}, BASE)
        except ParseError:
            continue
        found.extend((f"{path.name} #{number}", sanitise_html(
            entry.content_html or entry.summary_html, base_url=entry.link or BASE))
            for number, entry in enumerate(feed.entries))
    return found


def test_removing_any_image_leaves_html_nh3_would_write_unchanged() -> None:
    """`without_image` edits nh3's output without sanitising again: removing whole elements
    from it must leave what nh3 itself writes for the result (its iframes settled, as the
    sanitiser settles them), on every feed we hold."""
    checked = 0
    for name, body in _bodies():
        for image in re.finditer(r'<img\b[^>]*?\ssrc="([^"]+)"', body):
            edited = without_image(body, html.unescape(image.group(1)))
            assert _settled_iframes(_CLEANER.clean(edited)).strip() == edited, name
            checked += 1
    assert checked >= 20


# -- control characters ---------------------------------------------------------------------

def test_no_control_character_or_terminal_escape_reaches_a_stored_text() -> None:
    article = _clean(guid="g\x00-1", title="Bad \x00 ref \x1b[31mred\x1b[0m",
                     author="A\x00B \x1b]0;pwned\x07", categories=("t\x00g", "\x1b[2Jx"),
                     summary_html="<p>S\x01um\x1b[0mmary</p>",
                     content_html="<p>B\x00o\x1b]0;t\x07dy\x9b</p>",
                     media=(MediaItem(url="https://cdn.example/a.jpg", kind="image",
                                      description="A \x00boat"),))
    texts = [article.entry_key, article.title, article.author, *article.tags, article.summary,
             article.content_html, article.image_alt]
    assert texts == ["g-1", "Bad ref red", "AB", "tg", "x", "Summary", "<p>Body</p>",
                     "A boat"]


def test_an_entry_with_more_tags_than_it_keeps_is_noted_on_the_feed() -> None:
    spam = _entry(guid="spam", categories=tuple(f"spam {n}" for n in range(3000)))
    also = _entry(guid="also", categories=tuple(f"tag {n}" for n in range(30)))
    # Thirty categories that are twenty-five tags once repeats are merged lose nothing.
    repeats = _entry(guid="repeats", categories=tuple(f"Tag {n % 25}" for n in range(30)))
    assert with_tag_cap_warning(_feed(spam, repeats)).warnings == (
        "an entry names 3,000 tags; only its first 25 were kept",)
    assert with_tag_cap_warning(_feed(spam, also, repeats)).warnings == (
        "2 entries name more than 25 tags (up to 3,000); only the first 25 of each were kept",)
    quiet = _feed(repeats, _entry())
    assert with_tag_cap_warning(quiet) is quiet


def test_tags_are_text_that_may_carry_html_as_titles_are() -> None:
    article = _clean(categories=("Food &amp; Drink", "Q&A", "C++ <templates>", "<b>Bold</b>",
                                 "R&amp;amp;D"))
    assert article.tags == ("Food & Drink", "Q&A", "C++ <templates>", "Bold", "R&amp;D")


# -- headlines that show nothing ------------------------------------------------------------

@pytest.mark.parametrize(("fields", "title"), [
    ({"title": "\u200b\u200b \xa0", "summary_html": "<p>Words of the summary.</p>"},
     "Words of the summary."),
    ({"title": '<img src="https://cdn.example/a.jpg">', "content_html": "",
      "link": "https://news.example/2026/11/ministers-agree/"}, "ministers-agree"),
    ({"title": "", "content_html": "", "link": None,
      "media": (MediaItem(url="https://cdn.example/pod/episode%2012.mp3", kind="audio"),)},
     "episode 12.mp3"),
    ({"title": "\u2066\u200d", "content_html": "", "link": "https://news.example/"},
     "news.example"),
    # Inside a title the joiner stays; a zero-width space beside a space is an artefact.
    ({"title": "A\u200dB \u200bC"}, "A\u200dB C"),
])
def test_an_entry_whose_title_shows_nothing_is_named_after_what_it_has(
        fields: dict[str, object], title: str) -> None:
    assert _clean(**fields).title == title


def test_an_entry_with_nothing_to_show_is_no_article() -> None:
    nothing = _entry(guid="empty", title="\u200b", link=None, content_html="<p>\u200b</p>")
    something = _entry(guid="ok")
    articles = clean_entries(_feed(nothing, something), base_url=BASE, now=NOW)
    assert [article.entry_key for article in articles] == ["ok"]


def test_mathml_shows_its_scripts_and_fractions_and_stays_sanitised() -> None:
    html = ('<p>so <math><mfrac><mrow><mi>a</mi><mo>+</mo><mn>1</mn></mrow><mi>b</mi>'
            "</mfrac><mo>&times;</mo><msup><mi>x</mi><mn>2</mn></msup></math> and "
            "<math><mtext>&lt;script&gt;x&lt;/script&gt;</mtext><mi><img src=x "
            "onerror=alert(1)></mi></math></p>")
    assert sanitise_html(html, base_url="https://x.example/") == (
        "<p>so <span>(a+1)/b×x<sup>2</sup></span> and "
        "<span>&lt;script&gt;x&lt;/script&gt;</span></p>")


def test_math_a_page_also_renders_another_way_is_not_shown_twice() -> None:
    katex = ('<p><span class="katex"><span class="katex-mathml"><math><semantics><mi>x'
             '</mi><annotation encoding="application/x-tex">x</annotation></semantics>'
             '</math></span><span class="katex-html" aria-hidden="true"><span>x</span>'
             "</span></span> squared</p>")
    assert sanitise_html(katex, base_url="https://x.example/") == (
        "<p><span><span></span><span><span>x</span></span></span> squared</p>")


def test_unclosed_math_tags_by_the_thousand_are_sanitised_in_linear_time() -> None:
    started = time.monotonic()
    html = sanitise_html("<p>" + "<math>x" * 30_000 + "</p>", base_url="https://x.example/")
    assert time.monotonic() - started < 5      # a rescan per tag took minutes
    assert "<math" not in html
