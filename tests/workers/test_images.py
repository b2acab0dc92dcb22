"""Lead images checked in the background (workers/images.py), against a real publisher's
image host on loopback, and by a real Celery worker after a real poll."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from hopper import content_version, media_cache
from hopper.guarded_http import address_check
from hopper.image_fetch import ImageClient
from hopper.image_gate import FetchGate, GateLimits
from hopper.image_source import ImageSource
from hopper.settings import MediaLimits
from models.articles import Article
from models.db import Database
from tests.article_rows import ArticleRows
from tests.pictures import publisher
from tests.workers.test_poll_tasks import add_source, wait_for
from workers.celery_app import create_celery
from workers.images import check_lead_images_of


@pytest.fixture
def images() -> Iterator[str]:
    with publisher(width=800, height=450) as (base, _paths):
        yield base


@pytest.fixture
def source(redis_client: redis.Redis, tmp_path: Path) -> ImageSource:
    gate = FetchGate(redis_client, GateLimits(pool="workers"))
    client = ImageClient(MediaLimits(total_timeout_s=5), user_agent="Hopper/test",
                         is_allowed_address=address_check(allow_private_networks=True))
    return ImageSource(client=client, gate=gate, root=tmp_path / "media-cache",
                       max_bytes=64 * 1024 * 1024)


def statuses(database: Database) -> dict[str, tuple[str | None, int | None, int | None]]:
    with database.reader() as session:
        return {title: (status, width, height) for title, status, width, height in
                session.execute(select(Article.title, Article.image_status,
                                       Article.image_width, Article.image_height))}


def test_a_good_lead_image_is_ok_with_its_size_and_its_copies_are_cached_ahead(
        database, source, images, redis_client) -> None:
    rows = ArticleRows(database)
    rows.article("Pictured", image_url=f"{images}/good.jpg")
    rows.article("No picture")
    checks = check_lead_images_of(database, source, redis_client)
    assert [check.status for check in checks] == ["ok"]
    assert statuses(database)["Pictured"] == ("ok", 800, 450)
    assert statuses(database)["No picture"] == (None, None, None)
    url = f"{images}/good.jpg"
    assert media_cache.find(source.root, url) is not None
    for width in (160, 320, 640):
        copy = media_cache.find(source.root, media_cache.variant_key(url, width, "webp"))
        assert copy is not None and copy.content_type == "image/webp"


@pytest.mark.parametrize("name", ["missing-1.jpg", "broken-1.jpg", "page-1.jpg",
                                  "tiny-1.png"])
def test_a_lead_image_that_fails_is_not_an_image_or_is_tiny_is_dead(
        database, source, images, redis_client, name) -> None:
    rows = ArticleRows(database)
    rows.article("Doomed", image_url=f"{images}/{name}")
    before = content_version.current(redis_client)
    check_lead_images_of(database, source, redis_client)
    assert statuses(database)["Doomed"][0] == "dead"
    # Cached anonymous pages still showed it: the content version turns them over.
    assert content_version.current(redis_client) == before + 1


def test_an_image_checked_once_is_not_fetched_again(database, source, redis_client,
                                                    httpserver: HTTPServer) -> None:
    from tests.pictures import photo

    httpserver.expect_request("/once.jpg").respond_with_data(photo(400, 300),
                                                            content_type="image/jpeg")
    ArticleRows(database).article("Once", image_url=httpserver.url_for("/once.jpg"))
    check_lead_images_of(database, source, redis_client)
    check_lead_images_of(database, source, redis_client)
    assert len(httpserver.log) == 1


def test_a_decompression_bomb_is_dead_without_being_decoded(database, source, redis_client,
                                                            httpserver: HTTPServer) -> None:
    import struct
    import zlib

    from tests.pictures import _chunk

    # A valid PNG header claiming 30000 × 30000 pixels (900 megapixels), 100 bytes long.
    bomb = (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b""))
    httpserver.expect_request("/bomb.png").respond_with_data(bomb, content_type="image/png")
    ArticleRows(database).article("Bomb", image_url=httpserver.url_for("/bomb.png"))
    started = time.monotonic()
    check_lead_images_of(database, source, redis_client)
    assert statuses(database)["Bomb"][0] == "dead"
    assert time.monotonic() - started < 5


@pytest.mark.slow
def test_a_real_worker_checks_the_lead_images_a_real_poll_stored(
        settings, celery_worker, database: Database, httpserver: HTTPServer,
        images: str) -> None:
    items = "".join(
        f"<item><guid>{name}</guid><title>{name}</title><link>http://example.test/{name}"
        f'</link><enclosure url="{images}/{name}.jpg" type="image/jpeg" length="1"/>'
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
        for name in ("fine", "missing-7"))
    httpserver.expect_request("/feed").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
        "</channel></rss>", content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/feed"))
    create_celery(settings).send_task("workers.poll_source", args=[source_id])
    assert wait_for(lambda: all(status for status, _w, _h in statuses(database).values())
                    and len(statuses(database)) == 2, 60), celery_worker.output()
    assert statuses(database) == {"fine": ("ok", 800, 450),
                                  "missing-7": ("dead", None, None)}
