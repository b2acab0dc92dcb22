"""GET /media/<signature>/<url>: publishers' images served first party, from a real
upstream HTTP server on loopback."""

from __future__ import annotations

import dataclasses
import io
import threading
import time
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hopper import media_cache
from hopper.image_fetch import ImageClient, user_agent
from hopper.settings import MediaLimits
from tests.hanging import hanging_host, raw_host
from tests.pictures import png

from .conftest import proxied_path

PICTURE = png(8, 6)


def serve_png(httpserver: HTTPServer, path: str = "/photo.png", body: bytes = PICTURE,
              content_type: str = "image/png") -> str:
    httpserver.expect_request(path).respond_with_data(body, content_type=content_type)
    return httpserver.url_for(path)


def test_image_bytes_and_type_pass_through_with_long_lived_caching(
        media_app, httpserver: HTTPServer) -> None:
    url = serve_png(httpserver)
    response = media_app.test_client().get(proxied_path(media_app, url))
    assert response.status_code == 200
    assert response.data == PICTURE
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    cache_control = response.headers["Cache-Control"]
    assert "public" in cache_control and "max-age=604800" in cache_control
    assert "immutable" in cache_control
    assert response.headers["ETag"]
    assert "Set-Cookie" not in response.headers


def test_upstream_sees_no_cookie_no_referer_and_a_hopper_user_agent(
        media_app, httpserver: HTTPServer) -> None:
    url = serve_png(httpserver)
    client = media_app.test_client()
    client.set_cookie("session", "reader-secret")
    client.get(proxied_path(media_app, url), headers={"Referer": "http://127.0.0.1/a",
                                                      "Cookie": "session=reader-secret"})
    (request, _response), = httpserver.log
    assert "Cookie" not in request.headers
    assert "Referer" not in request.headers
    assert request.headers["User-Agent"] == user_agent(media_app.config["BASE_URL"])


def test_second_request_is_served_from_disk_without_contacting_upstream(
        media_app, httpserver: HTTPServer) -> None:
    url = serve_png(httpserver)
    client = media_app.test_client()
    first = client.get(proxied_path(media_app, url))
    second = client.get(proxied_path(media_app, url))
    assert first.data == second.data == PICTURE
    assert len(httpserver.log) == 1
    root = media_app.config["HOPPER_SETTINGS"].media_cache_path
    assert media_cache.cache_file(root, url).read_bytes() == PICTURE


def test_a_browser_revalidating_with_the_etag_gets_304(media_app, httpserver) -> None:
    url = serve_png(httpserver)
    client = media_app.test_client()
    etag = client.get(proxied_path(media_app, url)).headers["ETag"]
    again = client.get(proxied_path(media_app, url), headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_a_missing_or_wrong_signature_is_404_and_fetches_nothing(
        media_app, httpserver: HTTPServer) -> None:
    url = serve_png(httpserver)
    good = proxied_path(media_app, url)
    _, _, signature, encoded = good.split("/")
    other = proxied_path(media_app, url + "?other")
    client = media_app.test_client()
    assert client.get(f"/media/{encoded}").status_code == 404
    assert client.get(f"/media/AAAAAAAAAAAAAAAAAAAAAA/{encoded}").status_code == 404
    assert client.get(f"/media/{other.split('/')[2]}/{encoded}").status_code == 404
    assert client.get(f"/media/{signature}/not-base64!").status_code == 404
    assert httpserver.log == []


def test_a_url_signed_with_another_secret_is_refused(make_app, httpserver) -> None:
    url = serve_png(httpserver)
    ours = make_app()
    theirs = make_app(secret_key="another-secret-key")
    assert ours.test_client().get(proxied_path(theirs, url)).status_code == 404
    assert httpserver.log == []


@pytest.mark.parametrize(("body", "content_type"), [
    (b"<html><body>not a picture</body></html>", "text/html"),
    (b"<html><body>dressed up</body></html>", "image/png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "image/svg+xml"),
])
def test_anything_but_a_raster_image_is_refused(media_app, httpserver, body,
                                                content_type) -> None:
    url = serve_png(httpserver, body=body, content_type=content_type)
    response = media_app.test_client().get(proxied_path(media_app, url))
    assert response.status_code == 502
    assert body not in response.data
    assert not list(media_app.config["HOPPER_SETTINGS"].media_cache_path.glob("*/*/*"))


def test_an_image_larger_than_the_cap_is_refused(make_app, httpserver) -> None:
    app = make_app(media_limits=MediaLimits(max_image_bytes=len(PICTURE) - 1))
    url = serve_png(httpserver)
    assert app.test_client().get(proxied_path(app, url)).status_code == 502


def test_a_camera_original_of_ten_megabytes_is_served_resized(media_app, httpserver) -> None:
    """Some feeds link a photographer's full-size original as the lead image: over the
    old 8 MiB cap it was refused, and the article showed no picture at all."""
    from PIL import Image

    from tests.pictures import photo

    original = photo(1600, 1200) + bytes(10 * 1024 * 1024)   # a JPEG's trailing bytes
    url = serve_png(httpserver, "/original.jpg", original, "image/jpeg")
    response = media_app.test_client().get(proxied_path(media_app, url) + "?w=640",
                                           headers={"Accept": "image/webp"})
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert len(response.data) < 200 * 1024
    assert Image.open(io.BytesIO(response.data)).size == (640, 480)


def test_an_oversized_stream_without_content_length_is_cut_off(make_app, httpserver) -> None:
    app = make_app(media_limits=MediaLimits(max_image_bytes=64 * 1024))

    def endless(_request: Request) -> Response:
        chunks = (PICTURE if index == 0 else b"\0" * 8192 for index in range(100))
        return Response(chunks, content_type="image/png")   # chunked, no length

    httpserver.expect_request("/big.png").respond_with_handler(endless)
    response = app.test_client().get(proxied_path(app, httpserver.url_for("/big.png")))
    assert response.status_code == 502


def test_upstream_404_is_404_and_5xx_is_502(media_app, httpserver) -> None:
    httpserver.expect_request("/gone.png").respond_with_data("no", status=404)
    httpserver.expect_request("/broken.png").respond_with_data("oops", status=503)
    client = media_app.test_client()
    gone = client.get(proxied_path(media_app, httpserver.url_for("/gone.png")))
    broken = client.get(proxied_path(media_app, httpserver.url_for("/broken.png")))
    assert (gone.status_code, broken.status_code) == (404, 502)
    assert len(gone.data) < 100 and len(broken.data) < 100


def test_a_slow_upstream_is_given_up_after_the_total_deadline(make_app, httpserver) -> None:
    app = make_app(media_limits=MediaLimits(connect_timeout_s=1, total_timeout_s=1))

    def slow(_request: Request) -> Response:
        time.sleep(3)
        return Response(PICTURE, content_type="image/png")

    httpserver.expect_request("/slow.png").respond_with_handler(slow)
    started = time.monotonic()
    response = app.test_client().get(proxied_path(app, httpserver.url_for("/slow.png")))
    assert response.status_code == 502
    assert time.monotonic() - started < 2.5


def test_an_unreachable_host_is_502(media_app) -> None:
    import socket

    with socket.socket() as probe:       # a port that was free a moment ago: refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x.png"
    assert media_app.test_client().get(proxied_path(media_app, url)).status_code == 502


def test_redirects_are_followed_to_the_image(media_app, httpserver) -> None:
    target = serve_png(httpserver, "/real.png")
    httpserver.expect_request("/moved.png").respond_with_data(
        "", status=302, headers={"Location": "/real.png"})
    response = media_app.test_client().get(
        proxied_path(media_app, httpserver.url_for("/moved.png")))
    assert response.status_code == 200 and response.data == PICTURE
    assert target.endswith("/real.png")


def test_with_the_guard_on_loopback_is_refused(make_app, httpserver) -> None:
    app = make_app(allow_private_networks=False)
    url = serve_png(httpserver)
    by_name = url.replace("127.0.0.1", "localhost")
    client = app.test_client()
    assert client.get(proxied_path(app, url)).status_code == 404
    assert client.get(proxied_path(app, by_name)).status_code == 404
    assert httpserver.log == []


def test_allowing_private_networks_a_redirect_to_metadata_is_refused(
        media_app, httpserver: HTTPServer) -> None:
    """media_app allows private networks (its publisher is on loopback); the metadata
    address stays refused, before connecting."""
    httpserver.expect_request("/hop.png").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    started = time.monotonic()
    response = media_app.test_client().get(proxied_path(media_app,
                                                        httpserver.url_for("/hop.png")))
    assert response.status_code == 404
    assert time.monotonic() - started < 1
    assert [request.path for request, _ in httpserver.log] == ["/hop.png"]


def test_with_the_guard_on_a_redirect_to_a_private_address_is_refused(
        make_app, httpserver) -> None:
    app = make_app(allow_private_networks=False)
    # 127.0.0.1 plays a public host; its redirect to 127.0.0.2 must be refused.
    app.extensions["hopper_media_source"].client = ImageClient(
        MediaLimits(), user_agent="test", is_allowed_address=lambda peer: peer == "127.0.0.1")
    httpserver.expect_request("/hop.png").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.2:{httpserver.port}/x.png"})
    httpserver.expect_request("/x.png").respond_with_data(PICTURE, content_type="image/png")
    response = app.test_client().get(proxied_path(app, httpserver.url_for("/hop.png")))
    assert response.status_code == 404
    assert [request.path for request, _ in httpserver.log] == ["/hop.png"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x.png",
                                 "javascript:alert(1)"])
def test_only_http_and_https_are_fetched(media_app, url) -> None:
    assert media_app.test_client().get(proxied_path(media_app, url)).status_code == 404


def test_with_the_proxy_off_there_is_no_media_route(make_app, httpserver) -> None:
    app = make_app(media_proxy=False)
    url = serve_png(httpserver)
    assert app.test_client().get(proxied_path(app, url)).status_code == 404
    assert httpserver.log == []


# --- resized copies (hopper/image_variants.py) ----------------------------------------

WEBP_ACCEPT = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"


def picture_size(data: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_a_resized_copy_is_webp_for_browsers_that_take_it_and_jpeg_otherwise(
        media_app, httpserver: HTTPServer) -> None:
    from tests.pictures import photo

    url = serve_png(httpserver, "/big.jpg", photo(1600, 900), "image/jpeg")
    client = media_app.test_client()
    webp = client.get(proxied_path(media_app, url) + "?w=320",
                      headers={"Accept": WEBP_ACCEPT})
    jpeg = client.get(proxied_path(media_app, url) + "?w=640", headers={"Accept": "*/*"})
    assert (webp.status_code, webp.mimetype) == (200, "image/webp")
    assert (jpeg.status_code, jpeg.mimetype) == (200, "image/jpeg")
    assert picture_size(webp.data) == (320, 180)
    assert picture_size(jpeg.data) == (640, 360)
    assert "Accept" in webp.headers["Vary"]
    assert len(webp.data) < 40_000
    assert len(httpserver.log) == 1        # both copies were made from one fetch


def test_a_copy_is_never_wider_than_the_original(media_app, httpserver) -> None:
    url = serve_png(httpserver, body=png(200, 150))
    response = media_app.test_client().get(proxied_path(media_app, url) + "?w=1280",
                                           headers={"Accept": WEBP_ACCEPT})
    assert response.status_code == 200 and picture_size(response.data) == (200, 150)


def test_a_counter_pixel_gets_the_placeholder_not_a_copy(media_app, httpserver) -> None:
    url = serve_png(httpserver, body=png(1, 1))
    response = media_app.test_client().get(proxied_path(media_app, url) + "?w=320")
    assert response.status_code == 502 and response.data.startswith(b"GIF89a")


@pytest.mark.parametrize("width", ["123", "99999", "-1", "abc", "", "%C2%B2", "%D9%A3%D9%A2%D9%A0"])
def test_only_the_published_widths_are_served(media_app, httpserver, width) -> None:
    """Superscript two and Arabic-Indic 320 are digits to str.isdigit(); int() refuses
    the first (it was a 500) and reads the second as 320."""
    url = serve_png(httpserver)
    response = media_app.test_client().get(proxied_path(media_app, url) + f"?w={width}")
    assert response.status_code == 404
    assert httpserver.log == []


@pytest.mark.parametrize("location", [b"http://[::1", b"//[not-an-address]/a.png"])
def test_a_redirect_to_a_malformed_host_is_refused_not_a_500(media_app,
                                                             location: bytes) -> None:
    """urljoin raises ValueError on an unclosed or non-address bracketed host."""
    answer = (b"HTTP/1.1 302 Found\r\nLocation: " + location
              + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    with raw_host(answer) as (base, requests):
        client = media_app.test_client()
        path = proxied_path(media_app, base + "/photo.png")
        first, second = client.get(path), client.get(path)
        assert [first.status_code, second.status_code] == [404, 404]
        assert first.data.startswith(b"GIF89a")
        assert len(requests) == 1


@pytest.mark.parametrize("length", [b"\xb2", b"9" * 5000])
@pytest.mark.parametrize("query", ["", "?w=320"])
def test_a_content_length_that_is_no_number_is_a_502_not_a_500(media_app, query,
                                                              length: bytes) -> None:
    """A publisher's `Content-Length: ²` (one Latin-1 byte) passes str.isdigit(), which
    int() then refuses, as it refuses 5,000 digits: the proxy answered 500 and, the error
    being unexpected, asked the publisher again on every request."""
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: " + length
            + b"\r\n")
    with raw_host(head + b"Connection: close\r\n\r\n" + PICTURE) as (base, requests):
        client = media_app.test_client()
        path = proxied_path(media_app, base + "/photo.png") + query
        first, second = client.get(path), client.get(path)
        assert [first.status_code, second.status_code] == [502, 502]
        assert first.data.startswith(b"GIF89a")
        assert len(requests) == 1


def test_bytes_that_look_like_an_image_but_do_not_decode_get_the_placeholder(
        media_app, httpserver) -> None:
    url = serve_png(httpserver, body=b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    response = media_app.test_client().get(proxied_path(media_app, url) + "?w=320")
    assert response.status_code == 502
    assert response.data.startswith(b"GIF89a")


# --- failures, and never waiting on a publisher (hopper/image_gate.py) -----------------

def test_a_failed_image_gets_a_placeholder_image_and_is_not_asked_for_again(
        media_app, httpserver) -> None:
    httpserver.expect_request("/gone.png").respond_with_data("no", status=404)
    client = media_app.test_client()
    path = proxied_path(media_app, httpserver.url_for("/gone.png"))
    first, second = client.get(path), client.get(path + "?w=320")
    for response in (first, second):
        assert response.status_code == 404
        assert response.mimetype == "image/gif" and response.data.startswith(b"GIF89a")
    assert len(httpserver.log) == 1        # the failure was remembered in Redis


def test_a_request_for_an_image_another_process_is_fetching_answers_within_a_second(
        media_app, httpserver, redis_client) -> None:
    from hopper.image_gate import LOCK_PREFIX

    url = serve_png(httpserver)
    redis_client.set(LOCK_PREFIX + media_cache.url_key(url), "another-process", ex=30)
    started = time.monotonic()
    response = media_app.test_client().get(proxied_path(media_app, url))
    assert response.status_code == 503 and response.data.startswith(b"GIF89a")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Retry-After"]
    assert time.monotonic() - started < 2            # BUSY_WAIT_S, then the placeholder
    assert httpserver.log == []


def test_beyond_the_fetch_slots_a_request_answers_within_a_second(media_app, httpserver,
                                                          redis_client) -> None:
    url = serve_png(httpserver)
    seconds, _micro = redis_client.time()            # slots lapse by the server's clock, in ms
    far = (seconds + 60) * 1000
    redis_client.zadd("hopper:media:fetching:web", {"a": far, "b": far})   # 2 = the slots
    response = media_app.test_client().get(proxied_path(media_app, url))
    assert response.status_code == 503
    assert httpserver.log == []


def test_the_cache_stays_under_its_size_cap_however_fast_it_is_filled(
        make_app, httpserver) -> None:
    from tests.pictures import photo

    app = make_app(media_cache_mb=1)
    picture = photo(400, 300, quality=95)          # ~60-100 KB each
    client = app.test_client()
    for number in range(30):                       # ~2-3 MB of distinct images
        url = serve_png(httpserver, f"/{number}.jpg", picture, "image/jpeg")
        assert client.get(proxied_path(app, url)).status_code == 200
    root = app.config["HOPPER_SETTINGS"].media_cache_path
    stored = sum(path.stat().st_size for path in root.glob("*/*/*"))
    assert 0 < stored <= 1024 * 1024


def test_a_request_does_not_wait_for_a_fetch_that_is_already_slow(
        media_app, httpserver, redis_client) -> None:
    from hopper.image_gate import LOCK_PREFIX

    url = serve_png(httpserver)
    lease_ms = int(media_app.extensions["hopper_media_source"].gate.limits.lease_s * 1000)
    # Another process has been fetching this image for 5 s: its host is slow.
    redis_client.set(LOCK_PREFIX + media_cache.url_key(url), "another", px=lease_ms - 5000)
    started = time.monotonic()
    response = media_app.test_client().get(proxied_path(media_app, url))
    assert response.status_code == 503
    assert time.monotonic() - started < 0.5


def test_an_image_host_with_all_its_slots_taken_gets_the_placeholder_not_a_request(
        media_app, httpserver, redis_client) -> None:
    """HOPPER_PER_HOST_CONCURRENCY holds for images too: while feed polls or page fetches
    hold every slot of the publisher's host, a reader gets the placeholder within a
    second, the host is not asked, and nothing is remembered as failed."""
    from hopper.host_slots import SLOTS_PREFIX

    url = serve_png(httpserver)
    host_key = SLOTS_PREFIX + urlsplit(url).hostname
    limit = media_app.config["HOPPER_SETTINGS"].per_host_concurrency
    seconds, _micro = redis_client.time()
    lapses_ms = (seconds + 60) * 1000
    redis_client.zadd(host_key,
                      {f"poll-{number}": lapses_ms for number in range(limit)})
    started = time.monotonic()
    response = media_app.test_client().get(proxied_path(media_app, url))
    assert response.status_code == 503 and response.data.startswith(b"GIF89a")
    assert time.monotonic() - started < 2
    assert httpserver.log == []

    redis_client.delete(host_key)                            # the polls are done
    assert media_app.test_client().get(proxied_path(media_app, url)).status_code == 200
    assert len(httpserver.log) == 1


def test_a_hanging_image_host_leaves_the_other_publishers_a_fetch_slot(
        make_app, httpserver, settings) -> None:
    """Two of one publisher's pictures whose host never answers take half the site's
    fetch slots, not all of them: another outlet's new picture is still fetched and
    shown, instead of the busy placeholder until the hanging fetches time out."""
    app = make_app(media_limits=dataclasses.replace(settings.media_limits,
                                                    total_timeout_s=3.0))
    healthy = serve_png(httpserver)
    with hanging_host("127.0.0.2") as (base, requests):
        stuck = [threading.Thread(target=app.test_client().get,
                                  args=(proxied_path(app, f"{base}/{number}.jpg"),))
                 for number in range(2)]
        for thread in stuck:
            thread.start()
        deadline = time.monotonic() + 5
        while not requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(requests) == 1                 # the host's share: one fetch at a time
        response = app.test_client().get(proxied_path(app, healthy))
        assert response.status_code == 200 and response.data == PICTURE
        for thread in stuck:
            thread.join(10)
    assert len(requests) == 1
