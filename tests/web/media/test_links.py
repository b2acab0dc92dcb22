"""Pages point publishers' images at the proxy: lead images, article bodies, OpenGraph."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from web.media import links as media_links
from web.media.links import MediaLinks
from web.media.signing import derive_key, verified_url
from workers.ingest.cleaning import sanitise

from .conftest import proxied_path

PHOTO = "http://127.0.0.2:8000/photos/lead.jpg"
PROXIED = re.compile(r"/media/([\w-]+)/([\w-]+)")


def originals(app, markup: str) -> str:
    """`markup` with every proxied path turned back into the URL it carries."""
    key = derive_key(app.config["SECRET_KEY"])

    def back(match: re.Match[str]) -> str:
        url = verified_url(key, match.group(1), match.group(2))
        assert url is not None, match.group(0)
        return html.escape(url)

    return PROXIED.sub(back, markup)


def image_sources(page: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)


def test_home_cards_and_the_lead_story_show_proxied_images(media_app, make) -> None:
    source = make.source()
    for index in range(3):
        make.article(source, title=f"Story {index}", image_url=f"{PHOTO}?n={index}")
    page = media_app.test_client().get("/").get_data(as_text=True)
    sources = image_sources(page)
    assert sources and all(src.startswith("/media/") for src in sources)
    assert "127.0.0.2" not in page
    assert html.unescape(originals(media_app, sources[0])).startswith(PHOTO)


def test_article_page_proxies_lead_image_body_images_srcset_and_poster(
        media_app, make) -> None:
    body = sanitise.sanitise_html(
        '<p>Before <a href="https://publisher.example/more">more</a></p>'
        '<figure><img src="https://img.example/a.png" alt="A" '
        'srcset="https://img.example/a-1x.png 1x, /b-2x.png 2x"></figure>'
        '<picture><source srcset="https://img.example/c.webp" type="image/webp">'
        '<img src="https://img.example/c.jpg" alt="C"></picture>'
        '<video src="https://img.example/v.mp4" poster="https://img.example/p.jpg" controls>'
        '</video><p>After</p>', base_url="https://img.example/story")
    article = make.article(make.source(), title="Pictures", image_url=PHOTO,
                           content_html=body)
    page = media_app.test_client().get(f"/article/{article.id}-pictures").get_data(
        as_text=True)
    assert all(src.startswith("/media/") for src in image_sources(page))
    body_html = page.split('<div dir="auto" class="article-body">')[1].split("</div>")[0]
    for url in ("https://img.example/a.png", "https://img.example/a-1x.png",
                "https://img.example/b-2x.png", "https://img.example/c.webp",
                "https://img.example/c.jpg", "https://img.example/p.jpg"):
        assert url not in body_html
        assert url in originals(media_app, body_html)
    assert 'src="https://img.example/v.mp4"' in body_html   # the film is not an image
    assert 'preload="none"' in body_html                      # …and waits for "play"
    assert "https://publisher.example/more" in body_html     # links are left alone


def test_the_body_rewrite_changes_image_addresses_and_nothing_else(media_app) -> None:
    body = sanitise.sanitise_html(
        '<h2>Title</h2><p class="x" style="color:red">Text &amp; <em>more</em> '
        '<a href="https://a.example/">link</a></p>'
        '<img src="https://img.example/one.png" alt="One &quot;1&quot;" width="300">'
        '<table><tr><td colspan="2">cell</td></tr></table>'
        '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>'
        '<blockquote cite="https://q.example/">quote</blockquote>', base_url=None)
    with media_app.test_request_context("/"):
        rewritten = media_app.jinja_env.filters["proxied_images"](body)
    assert isinstance(rewritten, Markup)
    assert "https://img.example/one.png" not in rewritten
    assert originals(media_app, str(rewritten)) == body


def test_the_rewrite_keeps_srcset_urls_that_hold_commas_whole(media_app) -> None:
    cloudinary = "https://res.cloudinary.com/d/image/upload/w_{},h_{}/s.jpg"
    body = (f'<img src="{cloudinary.format(300, 200)}" alt="" '
            f'srcset="{cloudinary.format(300, 200)} 300w, {cloudinary.format(600, 400)} 600w">')
    with media_app.test_request_context("/"):
        rewritten = str(media_app.jinja_env.filters["proxied_images"](body))
    srcset = rewritten.split('srcset="')[1].split('"')[0]
    assert [candidate.split() for candidate in srcset.split(", ")] == [
        [proxied_path(media_app, cloudinary.format(300, 200)), "300w"],
        [proxied_path(media_app, cloudinary.format(600, 400)), "600w"]]


def test_the_rewrite_stays_sanitised_even_on_hostile_markup(media_app) -> None:
    hostile = ('<img src="https://img.example/x.png" onerror="alert(1)">'
               '<script>alert(2)</script><a href="javascript:alert(3)">x</a>'
               '<img src="javascript:alert(4)"><svg onload="alert(5)"></svg>')
    with media_app.test_request_context("/"):
        rewritten = str(media_app.jinja_env.filters["proxied_images"](hostile))
    assert "alert" not in rewritten
    assert "/media/" in rewritten


def test_the_rewrite_allow_list_is_never_wider_than_ingests() -> None:
    assert media_links.BODY_TAGS <= sanitise._TAGS
    assert media_links.BODY_CLEAN_CONTENT_TAGS >= sanitise._CLEAN_CONTENT_TAGS
    for tag, attributes in media_links.BODY_ATTRIBUTES.items():
        assert attributes <= sanitise._ATTRIBUTES.get(tag, set()), tag


def test_first_party_and_inline_images_are_left_as_they_are(media_app) -> None:
    links = MediaLinks(key=b"k", base_url="https://news.example", is_enabled=True)
    with media_app.test_request_context("/"):
        assert links.url("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"
        assert links.url("/static/logo.png") == "/static/logo.png"
        assert links.url("https://news.example/static/a.png") == \
            "https://news.example/static/a.png"
        assert links.url(None) == ""
        assert links.url("HTTPS://img.example/a.png").startswith("/media/")


def test_opengraph_image_is_the_absolute_proxied_address(media_app) -> None:
    """og:image must be absolute (tests/web/feeds/test_meta.py checks the meta macros)."""
    with media_app.test_request_context("/"):
        absolute = media_app.jinja_env.filters["absolute_media_url"](PHOTO)
    assert absolute == media_app.config["BASE_URL"] + proxied_path(media_app, PHOTO)


def test_with_the_proxy_off_images_link_straight_to_the_publisher(make_app, make) -> None:
    app = make_app(media_proxy=False)
    body = '<p><img src="https://img.example/in-body.png" alt=""></p>'
    lead = "https://img.example/lead.jpg"
    article = make.article(make.source(), title="Direct", image_url=lead, content_html=body)
    page = app.test_client().get(f"/article/{article.id}-direct").get_data(as_text=True)
    assert f'src="{lead}"' in page
    assert 'src="https://img.example/in-body.png"' in page
    assert "/media/" not in page


def test_with_the_proxy_off_a_lead_image_the_csp_refuses_is_left_out(make_app, make) -> None:
    """`img-src 'self' https: data:`: a publisher's http: picture could only be a broken
    box in the browser."""
    app = make_app(media_proxy=False)
    article = make.article(make.source(), title="Plain", image_url=PHOTO)
    page = app.test_client().get(f"/article/{article.id}-plain").get_data(as_text=True)
    assert "Plain" in page and PHOTO not in page and "<figure" not in page


def test_with_the_proxy_on_the_browser_may_load_first_party_images_only(make_app) -> None:
    proxied = make_app().test_client().get("/about").headers["Content-Security-Policy"]
    direct = make_app(media_proxy=False).test_client().get("/about")
    assert "img-src 'self' data:;" in proxied and "https:" not in proxied.split(
        "img-src")[1].split(";")[0]
    assert "img-src 'self' https: data:" in direct.headers["Content-Security-Policy"]
