"""Reading a publisher's own word on how often to come back (pure), and the schedule's
decision from it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workers.ingest.freshness import PublisherHints, read_hints
from workers.ingest.steps.schedule import MAX_PUBLISHER_WAIT, publisher_wait

RSS_HEAD = (b'<?xml version="1.0"?><rss version="2.0" '
            b'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>'
            b"<title>T</title>{extra}<item><title>x</title><ttl>1</ttl></item>"
            b"</channel></rss>")


def feed(extra: bytes) -> bytes:
    return RSS_HEAD.replace(b"{extra}", extra)


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"cache-control": "public, max-age=3600"}, 3600),
    ({"cache-control": 'max-age="600", must-revalidate'}, 600),
    ({"cache-control": "s-maxage=60"}, None),                 # a shared cache's, not ours
    ({"cache-control": "no-cache, max-age=3600"}, None),      # revalidate every time
    ({"cache-control": "no-store"}, None),
    ({"expires": "Tue, 24 Nov 2026 14:00:00 GMT",
      "date": "Tue, 24 Nov 2026 12:00:00 GMT"}, 7200),        # Expires − Date
    ({"expires": "Tue, 24 Nov 2026 14:00:00 GMT", "date": "Tue, 24 Nov 2026 12:00:00 GMT",
      "cache-control": "max-age=60"}, 60),                    # max-age wins (RFC 9111 §5.3)
    ({"expires": "0"}, None),                                 # invalid: already stale
    ({"expires": "Tue, 24 Nov 2026 10:00:00 GMT",
      "date": "Tue, 24 Nov 2026 12:00:00 GMT"}, 0),           # in the past
    ({}, None),
])
def test_http_caching_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert read_hints(headers).cache_lifetime_s == seconds


def test_rss_ttl_is_minutes_and_read_from_the_channel_only() -> None:
    assert read_hints({}, feed(b"<ttl>90</ttl>")).ttl_s == 90 * 60
    assert read_hints({}, feed(b"")).ttl_s is None            # the item's <ttl> is ignored


@pytest.mark.parametrize(("extra", "seconds"), [
    (b"<sy:updatePeriod>hourly</sy:updatePeriod>", 3600),
    (b"<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>4"
     b"</sy:updateFrequency>", 900),
    (b"<sy:updatePeriod> Weekly </sy:updatePeriod>", 7 * 86400),
    (b"<sy:updateFrequency>2</sy:updateFrequency>", 43200),   # period defaults to daily
    (b"<sy:updatePeriod>fortnightly</sy:updatePeriod>", None),
    (b"<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>0"
     b"</sy:updateFrequency>", 86400),
    (b"", None),
])
def test_syndication_module_period_and_frequency(extra: bytes, seconds: float | None) -> None:
    assert read_hints({}, feed(extra)).update_period_s == seconds


def test_an_atom_or_json_feed_says_nothing_by_its_body() -> None:
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b"<entry><ttl>5</ttl></entry></feed>")
    assert read_hints({}, atom) == PublisherHints()
    assert read_hints({}, b'{"version": "https://jsonfeed.org/version/1.1", "ttl": 5}') \
        == PublisherHints()


def test_the_wait_is_the_longest_signal_capped_at_a_day() -> None:
    assert publisher_wait(None) is None
    assert publisher_wait(PublisherHints()) is None
    assert publisher_wait(PublisherHints(cache_lifetime_s=0)) is None
    assert publisher_wait(PublisherHints(cache_lifetime_s=300, ttl_s=3600,
                                         update_period_s=1800)) == timedelta(hours=1)
    assert publisher_wait(PublisherHints(update_period_s=7 * 86400)) == MAX_PUBLISHER_WAIT
    assert timedelta(hours=24) == MAX_PUBLISHER_WAIT
