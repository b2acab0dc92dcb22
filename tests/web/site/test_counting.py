"""Views are counted on the server without cookies: once per visitor per hour, never for
bots, on cached pages too."""

from __future__ import annotations

from datetime import timedelta

from models.articles import Article
from models.base import utcnow
from models.db import session_scope
from web.site import counting

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Safari"


def views_of(database, article_id: int) -> int:  # type: ignore[no-untyped-def]
    with session_scope(database, write=False) as session:
        return session.get(Article, article_id).view_count


def test_a_visitor_is_counted_once_per_hour_even_when_the_page_is_cached(
        client, make, database, redis_client) -> None:
    article = make.article(make.source(), title="Counted story")
    url = f"/article/{article.id}-counted-story"

    assert client.get(url, headers={"User-Agent": FIREFOX}).headers["X-Cache"] == "miss"
    assert client.get(url, headers={"User-Agent": FIREFOX}).headers["X-Cache"] == "hit"
    counting.flush_views(redis_client, database, force=True)
    assert views_of(database, article.id) == 1

    other = client.get(url, headers={"User-Agent": SAFARI},
                       environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.headers["X-Cache"] == "hit"
    counting.flush_views(redis_client, database, force=True)
    assert views_of(database, article.id) == 2
    assert client.get("/").status_code == 200 and not any(
        b"Mozilla" in key or b"10.0.0.7" in key for key in redis_client.scan_iter())


def test_bots_and_agentless_requests_are_not_counted(client, make, database,
                                                     redis_client) -> None:
    article = make.article(make.source(), title="Crawled story")
    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0",
                  "python-requests/2.32", "facebookexternalhit/1.1", ""):
        client.get(f"/article/{article.id}-crawled-story", headers={"User-Agent": agent})
    counting.flush_views(redis_client, database, force=True)
    assert views_of(database, article.id) == 0


def test_the_same_visitor_counts_again_in_the_next_hour(make, database, redis_client) -> None:
    article = make.article(make.source())
    now = utcnow()
    visit = {"remote_addr": "10.1.1.1", "user_agent": FIREFOX}
    assert counting.count_view(redis_client, article.id, now=now, **visit)
    assert not counting.count_view(redis_client, article.id, now=now, **visit)
    assert counting.count_view(redis_client, article.id, now=now + timedelta(hours=1), **visit)
    key = counting.visitor_hour_key("view", article.id, "10.1.1.1", now)
    assert 0 < redis_client.ttl(key) <= 3600
    assert counting.flush_views(redis_client, database, force=True) == 2
    assert views_of(database, article.id) == 2


def test_flushing_is_throttled_and_loses_nothing(make, database, redis_client) -> None:
    article = make.article(make.source())
    counting.count_view(redis_client, article.id, remote_addr="1", user_agent=FIREFOX,
                        now=utcnow())
    assert counting.flush_views(redis_client, database) == 1
    counting.count_view(redis_client, article.id, remote_addr="2", user_agent=FIREFOX,
                        now=utcnow())
    assert counting.flush_views(redis_client, database) == 0   # within the throttle window
    assert counting.flush_views(redis_client, database, force=True) == 1
    assert views_of(database, article.id) == 2


def test_an_ipv6_visitor_rotating_addresses_in_its_64_counts_once(
        client, make, database, redis_client) -> None:
    article = make.article(make.source(), title="Counted story")
    for host in range(1, 6):
        client.get(f"/article/{article.id}-counted-story", headers={"User-Agent": FIREFOX},
                   environ_base={"REMOTE_ADDR": f"2001:db8:7:8::{host}"})
    client.get(f"/article/{article.id}-counted-story", headers={"User-Agent": FIREFOX},
               environ_base={"REMOTE_ADDR": "2001:db8:7:9::1"})   # another /64: another visitor
    counting.flush_views(redis_client, database, force=True)
    assert views_of(database, article.id) == 2


def test_most_read_on_home_reflects_counted_views(client, make, database, redis_client) -> None:
    source = make.source()
    quiet = make.article(source, title="Quiet story")
    popular = make.article(source, title="Popular story")
    for number in range(9):   # newer news fills the lead and top headlines
        make.article(source, title=f"Breaking {number}", published_at=utcnow())
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.get(f"/article/{popular.id}-popular-story", headers={"User-Agent": FIREFOX},
                   environ_base={"REMOTE_ADDR": address})
    client.get(f"/article/{quiet.id}-quiet-story", headers={"User-Agent": FIREFOX})
    counting.flush_views(redis_client, database, force=True)

    page = client.get("/").get_data(as_text=True)
    most_read = page.split('id="most-read"')[1].split("</aside>")[0]
    assert most_read.index("Popular story") < most_read.index("Quiet story")
