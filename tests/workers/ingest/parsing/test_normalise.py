"""Normalisation: identity, URLs, dates, names and tags read the same from every format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workers.ingest.parsing.normalise import (
    MAX_TAGS_PER_ENTRY,
    absolute_url,
    author_name,
    byline,
    entry_key,
    guid_as_link,
    normalise_tags,
    parse_date,
    signed_by,
    tag_slug,
)
from workers.ingest.records import ParsedEntry


def _entry(**fields: object) -> ParsedEntry:
    defaults: dict[str, object] = {
        "guid": None, "link": None, "title": "A title", "author": None, "summary_html": "",
        "content_html": "", "published_at": None, "updated_at": None}
    return ParsedEntry(**{**defaults, **fields})  # type: ignore[arg-type]


# -- identity -------------------------------------------------------------------------------

def test_entry_key_is_the_guid_first() -> None:
    assert entry_key(_entry(guid="urn:uuid:1", link="https://x.example/1")) == "urn:uuid:1"


def test_entry_key_falls_back_to_the_link() -> None:
    assert entry_key(_entry(link="https://x.example/1")) == "https://x.example/1"


def test_entry_key_without_guid_or_link_is_a_stable_hash_of_title_and_date() -> None:
    when = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    first = entry_key(_entry(title="Water off", published_at=when))
    assert first.startswith("hash:") and len(first) == 5 + 64
    assert entry_key(_entry(title="Water  off ", published_at=when)) == first
    assert entry_key(_entry(title="Water off", published_at=when.replace(hour=9))) != first
    assert entry_key(_entry(title="Gas off", published_at=when)) != first


def test_entry_key_without_any_date_does_not_depend_on_the_poll() -> None:
    undated = _entry(title="Lost cat", summary_html="Ginger")
    assert entry_key(undated) == entry_key(undated)
    assert entry_key(undated) != entry_key(_entry(title="Lost cat", summary_html="Black"))


@pytest.mark.parametrize(("guid", "is_permalink", "link"), [
    ("https://x.example/post/1", True, "https://x.example/post/1"),
    ("https://x.example/post/1", False, None),
    ("tag:x.example,2026:1", True, None),          # never invent a link from a guid
    ("1234", True, None),
    ("javascript:alert(1)", True, None),
    (None, True, None),
])
def test_a_guid_is_a_link_only_when_it_is_a_permalink_web_url(
        guid: str | None, is_permalink: bool, link: str | None) -> None:
    assert guid_as_link(guid, is_permalink=is_permalink) == link


# -- URLs -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "base", "expected"), [
    ("/a/b", "https://x.example/feed/", "https://x.example/a/b"),
    ("c", "https://x.example/feed/", "https://x.example/feed/c"),
    ("//cdn.example/i.png", "https://x.example/", "https://cdn.example/i.png"),
    ("  https://x.example/s  ", None, "https://x.example/s"),
    ("javascript:alert(1)", "https://x.example/", None),
    ("mailto:a@x.example", "https://x.example/", None),
    ("data:text/html,hi", "https://x.example/", None),
    ("", "https://x.example/", None),
    ("  ", "https://x.example/", None),
    ("http://", "https://x.example/", None),
    ("https:///", "https://x.example/", None),
    ("http:///cdn.example/i.png", "https://x.example/", "http://cdn.example/i.png"),
    ("http://[::1/x", "https://x.example/", None),
    ("http://[::1", "https://x.example/", None),
    ("\n   http://h.example/relsite/post 3?a=b c#d e\n ", None,
     "http://h.example/relsite/post%203?a=b%20c#d%20e"),
    ("post 3?q=\"<x>\"", "https://x.example/a/", "https://x.example/a/post%203?q=%22%3Cx%3E%22"),
    ("/pa\tth/a\nb", "https://x.example/", "https://x.example/path/ab"),
    ("https://x.example/%20already%2Fencoded?a=%41", None,
     "https://x.example/%20already%2Fencoded?a=%41"),
    ("https://例え.example/記事?q=日本", None, "https://例え.example/記事?q=日本"),
])
def test_absolute_url_resolves_and_keeps_only_web_urls(
        url: str, base: str | None, expected: str | None) -> None:
    assert absolute_url(url, base) == expected


# -- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Mon, 23 Nov 2026 17:45:00 +0000", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 17:45:00 GMT", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 12:45:00 -0500", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 12:45:00 EST", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("23 Nov 2026 17:45 +0100", datetime(2026, 11, 23, 16, 45, tzinfo=UTC)),
    ("Tue, 24 Nov 2026 07:45:00 +1400", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 23:30:00 +0545", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("2026-11-23T17:45:00Z", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("2026-11-23T19:45:00.123456+02:00", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("2026-11-23", datetime(2026, 11, 23, tzinfo=UTC)),
    ("2026-11-23 17:45:00", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("1795455900", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 18:45:00 UTC+1", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("2026-11-23T12:15:00GMT-05:30", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 05:45 PM GMT", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 12:45 a.m. +0000", datetime(2026, 11, 23, 0, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 12:45 PM +0000", datetime(2026, 11, 23, 12, 45, tzinfo=UTC)),
    ("lunes, 23 nov 2026 05:45 p. m.", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("lun., 23 nov. 2026 18:45:00 +0100", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mo, 23 Nov. 2026 18:45:00 +0100", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("lunes, 23 dic 2026 18:45:00 +0100", datetime(2026, 12, 23, 17, 45, tzinfo=UTC)),
    ("23. Dezember 2026", datetime(2026, 12, 23, tzinfo=UTC)),
    ("Monday, November 23, 2026", datetime(2026, 11, 23, tzinfo=UTC)),
    ("1795455900000", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),     # milliseconds
    ("1795455900.25", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("2026/11/23 17:45:00", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("23.11.2026 17:45", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mo, 23.11.2026 - 17:45", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("23/11/2026 17:45", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("11/23/2026 17:45", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon Nov 23 18:45:00 CET 2026", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("23 novembre 2026 à 18h45", datetime(2026, 11, 23, 18, 45, tzinfo=UTC)),
    ("23. November 2026 um 17:45 Uhr", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("2026-11-23 18:45:00 Europe/Paris", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Mon, 23 Nov 2026 12:45 (America/New_York)", datetime(2026, 11, 23, 17, 45, tzinfo=UTC)),
    ("Thu, 23 Jul 2026 19:45:00 Europe/Berlin", datetime(2026, 7, 23, 17, 45, tzinfo=UTC)),
])
def test_dates_become_aware_utc_to_the_second(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(("zone", "hour"), [
    ("CET", 8), ("CEST", 7), ("MET", 8), ("WET", 9), ("BST", 8), ("EET", 7), ("EEST", 6),
    ("MSK", 6), ("IST", 3.5), ("HKT", 1), ("SGT", 1), ("JST", 0), ("KST", 0), ("AEST", -1),
    ("AEDT", -2), ("NZST", -3), ("NZDT", -4), ("EST", 14), ("PDT", 16), ("nzdt", -4),
    ("(JST)", 0), ("GMT", 9), ("UT", 9), ("Z", 9),
])
def test_named_zones_around_the_world_are_read_as_their_offsets(zone: str,
                                                                  hour: float) -> None:
    nine_local = datetime(2025, 3, 4, 0, tzinfo=UTC) + timedelta(hours=hour)
    assert parse_date(f"Tue, 04 Mar 2025 09:00:00 {zone}") == nine_local
    assert parse_date(f"2025-03-04T09:00:00 {zone}") == nine_local


def test_a_year_is_read_as_written_and_two_digits_as_rfc_822_reads_them() -> None:
    assert parse_date("Sat, 28 Nov 26 10:00:00 +0000") == datetime(2026, 11, 28, 10,
                                                                   tzinfo=UTC)
    # Not 2001 (the year then falls outside retention: the entry is skipped as too old).
    assert parse_date("Mon, 01 Jan 0001 00:00:00 GMT") == datetime(1, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["XYZ", "CAST", "A", "M", "Y", "Europe/Atlantis"])
def test_an_unknown_zone_name_is_no_time_rather_than_utc(zone: str) -> None:
    assert parse_date(f"Tue, 04 Mar 2025 09:00:00 {zone}") is None


@pytest.mark.parametrize("text", [None, "", "   ", "yesterday-ish", "Mon, 99 Foo 2026",
                                  "Sat, 28 Nov 2026 10:00:00 +2500",
                                  "11/05/2026",     # May the 11th or November the 5th?
                                  "Sat, 28 Nov 2026 10:00:00 -1560",
                                  "2026-11-28T10:00:00+25:00",
                                  # UTC is past year 9999 or before year 1
                                  "Fri, 31 Dec 9999 23:59:59 -0100",
                                  "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
                                  # Year 0 (Python's two-digit rule made it 2000)
                                  "Sat, 01 Jan 0000 00:00:00 +0000"])
def test_unreadable_dates_are_none(text: str | None) -> None:
    assert parse_date(text) is None


# -- people ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "name"), [
    ("jane@example.com (Jane Doe)", "Jane Doe"),
    ("Jane Doe <jane@example.com>", "Jane Doe"),
    ("  Jane\n  Doe ", "Jane Doe"),
    ("jane@example.com", "jane@example.com"),
    ("", None),
    (None, None),
])
def test_author_names_lose_email_addresses_next_to_a_name(raw: str | None,
                                                         name: str | None) -> None:
    assert author_name(raw) == name


@pytest.mark.parametrize(("names", "signed"), [
    (["Jo Park"], "Jo Park"),
    (["Jo Park", "Eli Stone"], "Jo Park and Eli Stone"),
    (["A", "B", "C"], "A, B and C"),
    (["A", "B", "C", "D"], "A, B, C and 1 other"),
    (["A", "B", "C", "D", "E", "F"], "A, B, C and 3 others"),
    ([" Jo\n Park ", "", "JO PARK", "Eli Stone"], "Jo Park and Eli Stone"),
    (["", "  "], None),
    ([], None),
])
def test_several_authors_make_one_byline(names: list[str], signed: str | None) -> None:
    assert byline(names) == signed


@pytest.mark.parametrize(("written", "signed"), [
    (["jo@x.example (Jo Park)", "Eli Stone <eli@x.example>"], "Jo Park and Eli Stone"),
    (["Jo Park", "desk@x.example", None, " "], "Jo Park"),
    (["desk@x.example", "news@x.example"], "desk@x.example"),
    ([None, ""], None),
])
def test_the_authors_of_an_entry_sign_it_by_name(written: list[str | None],
                                                 signed: str | None) -> None:
    assert signed_by(written) == signed


# -- tags -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "slug"), [
    ("Python", "python"),
    ("  Machine   Learning ", "machine-learning"),
    ("Café Culture", "cafe-culture"),
    ("C++ & Rust", "c-rust"),
    ("Ärzte_ohne Grenzen", "arzte-ohne-grenzen"),
    ("日本", "日本"),
    ("Погода", "погода"),
    ("#", ""),
])
def test_tag_slug(name: str, slug: str) -> None:
    assert tag_slug(name) == slug


def test_tags_are_collapsed_deduplicated_by_slug_and_kept_in_order() -> None:
    assert normalise_tags(["Local  news", "local news", " Sea ", "#", "", "#Sea", "Café",
                           "cafe"]) == ("Local news", "Sea", "Café")


def test_tag_names_are_capped_at_100_characters() -> None:
    (name,) = normalise_tags(["x" * 300])
    assert len(name) == 100 and len(tag_slug(name)) == 100


def test_an_entry_keeps_only_its_first_tags() -> None:
    names = ["Dup", "dup", *(f"spam tag {n}" for n in range(3000))]
    tags = normalise_tags(names)
    assert len(tags) == MAX_TAGS_PER_ENTRY
    assert tags[:3] == ("Dup", "spam tag 0", "spam tag 1")     # duplicates do not count
