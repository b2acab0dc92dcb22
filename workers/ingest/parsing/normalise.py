"""Normalise what feeds say into one shape: entry keys, absolute URLs, UTC dates, names, tags.

Every parser (the lxml fast path, the feedparser fallback, JSON Feed) calls these same
functions, so both XML paths agree on the details by construction.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import feedparser.datetimes

from hopper.text import name_key
from hopper.widths import NAME_MAX
from workers.ingest.parsing.zones import UTC_NAMES, numeric_offset
from workers.ingest.records import ParsedEntry

WEB_SCHEMES = frozenset({"http", "https"})
TAG_NAME_MAX = 100
# An entry keeps at most this many tags, the first the feed names: every tag is a public
# /tag/<slug> page, and one spam item with 3,000 categories would make 3,000 of them.
# Real feeds name a handful (WordPress's long-tail sites, about 15).
MAX_TAGS_PER_ENTRY = 25
_WHITESPACE = re.compile(r"\s+")
# The local part starts where no local-part character precedes it: else a search rescans
# a long run of them ("aaaa…", no "@") from each character, in quadratic time.
_EMAIL = re.compile(r"\(?<?(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?\)?")
# A name after a time: "09:00:00 CET", "09:00 (JST)".
_NAMED_ZONE = re.compile(r"(\d:\d\d(?::\d\d(?:[.,]\d+)?)?)\s*\(?([A-Za-z]{1,5})\)?$")
# The year after the day and the month ("01 Jan 0000"), as written.
_RFC822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,}\.?\s+(\d+)\b")
_RFC822_ZONE = re.compile(r"(?:[+-]\d{4}|GMT|UTC|UT|Z)\s*$", re.IGNORECASE)
# A numeric zone no place on Earth keeps (beyond ±14:00, or 60 minutes and more): the
# date is broken, not merely far away.
_IMPOSSIBLE_OFFSET = re.compile(r"[+-](?:1[5-9]|[2-9]\d)\d\d\s*$|[+-]\d\d[6-9]\d\s*$"
                                r"|[+-](?:1[5-9]|[2-9]\d):\d\d\s*$")


# -- identity -------------------------------------------------------------------------------

def entry_key(entry: ParsedEntry) -> str:
    """guid, else link, else a stable hash of title and date (docs/architecture.md, "Data rules").

    A link is taken without what changes from one poll to the next for the same page
    (`link_identity`: tracking and session parameters, the fragment); so is a guid that
    is a web address, but for its fragment (changelogs tell entries apart by anchors
    alone: "/changes#v2").

    The hash uses the feed's own dates, never the poll time, so it is the same at every
    poll; when there is no date either, the text stands in for it.
    """
    if entry.guid:
        return without_tracking(entry.guid) if is_web_url(entry.guid) else entry.guid
    if entry.link:
        return link_identity(entry.link)
    when = entry.published_at or entry.updated_at
    stamp = when.isoformat() if when else entry.summary_html or entry.content_html
    return "hash:" + sha256_hex(f"{collapse_whitespace(entry.title)}\x1f{stamp}")


# Query parameters that say who sent a reader or which session fetched the feed, never
# which page: campaign tags (Google's utm_*, Mailchimp, HubSpot, Matomo), click ids, and
# the session ids of Java, PHP, ASP and ColdFusion sites. Names that also serve as ids
# ("sid", "ref", "source") are not here: `?sid=24/11/25/1234` is a Slashdot story.
_TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "jsessionid", "phpsessid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
# A session id written in the path (Java servlets): "/story.html;jsessionid=0A1B2C".
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#;]*", re.IGNORECASE)


def link_identity(link: str) -> str:
    """`link` as an entry key: without tracking and session parameters and without its
    fragment, so the same page seen with "?utm_source=rss" and then "?utm_source=feed",
    or with another ";jsessionid=", is one entry. Every other parameter stays as written
    and in its place ("?id=123", "?p=42" name the page)."""
    return without_tracking(link, keep_fragment=False)


def without_tracking(url: str, *, keep_fragment: bool = True) -> str:
    """`url` without tracking and session parameters (`link_identity`), as written
    when it has none."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query and ";" not in parts.path and (keep_fragment or not parts.fragment):
        return url
    pairs = parts.query.split("&")
    kept = [pair for pair in pairs if not _is_tracking(pair)]
    path = _PATH_SESSION.sub("", parts.path)
    if keep_fragment and len(kept) == len(pairs) and path == parts.path:
        return url
    return urlunsplit(parts._replace(path=path, query="&".join(pair for pair in kept if pair),
                                     fragment=parts.fragment if keep_fragment else ""))


def _is_tracking(pair: str) -> bool:
    name = unquote(pair.split("=", 1)[0]).strip().lower()
    return name in _TRACKING_PARAMETERS or name.startswith(_TRACKING_PREFIXES) \
        or name.startswith("aspsessionid")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SCHEME_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")


def resolve_id(guid: str, xml_base: str | None) -> str:
    """A permalink guid or an Atom id, resolved against the document's own xml:base only.

    This is what feedparser does when it is not told the document's URL, and both XML
    paths do it, so they agree. The URL the feed was fetched from never takes part: a
    feed that moves (301) keeps the same entry keys.
    """
    # What _SCHEME_SLASHES.sub(r"\1\3", guid) writes, without the template it would expand
    # in Python for every guid.
    extra = _SCHEME_SLASHES.match(guid)
    if extra and extra.group(2):
        guid = extra.group(1) + guid[extra.end(2):]
    try:
        return urljoin(xml_base or "", guid)
    except ValueError:
        return ""


def guid_as_link(guid: str | None, *, is_permalink: bool) -> str | None:
    """A guid becomes the link only when the feed says it is a permalink *and* it is a web
    URL: RSS 2.0 defaults isPermaLink to true, and feeds full of `tag:` ids rely on it."""
    if not guid or not is_permalink:
        return None
    return guid.strip() if is_web_url(guid.strip()) else None


# -- URLs -----------------------------------------------------------------------------------

def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    if _PLAIN_WEB_URL.fullmatch(url):
        return True         # most URLs, already read whole: urlsplit would agree
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def absolute_url(url: str | None, base: str | None) -> str | None:
    """`url` resolved against `base`, with the characters a URL cannot hold
    percent-encoded; None unless the result is an http(s) URL. A blank `url` (an
    enclosure's `href=" "`) is no URL, not a reference to `base` itself, and neither is
    a bare "http://" (a template's address with its host left out): Python would read
    both as `base`. Extra slashes after the scheme go, as browsers and feedparser drop
    them ("http:///x.jpg" is http://x.jpg)."""
    if not url:
        return None
    url = encode_illegal_characters(url)
    if not url:
        return None
    if _PLAIN_WEB_URL.fullmatch(url) and _joins_onto(base):
        return url          # what the join and the checks below would give back
    try:
        if _WEB_SCHEME_SLASHES.match(url):
            url = _WEB_SCHEME_SLASHES.sub(r"\1//", url, count=1)
            if not urlsplit(url).netloc:
                return None
        resolved = urljoin(base, url) if base else url
    except ValueError:
        return None
    return resolved if is_web_url(resolved) else None


# An http(s) URL written with two or more slashes after its scheme.
_WEB_SCHEME_SLASHES = re.compile(r"^(https?:)/{2,}", re.IGNORECASE)
# An absolute http(s) URL that urlsplit reads without a doubt (a web URL) and urljoin
# gives back as written, whatever the base: a scheme in lower case, a host with no
# brackets (IPv6, checked) nor anything but printable ASCII (NFKC-checked), no `;` in its
# path (parameters) and no empty query or fragment (urljoin would drop those three).
_PLAIN_WEB_URL = re.compile(
    r"https?://[^/?#;\[\]\x00-\x20\x7f-\U0010ffff]+(?:/[^?#;]*)?(?:\?[^#]+)?(?:#.+)?")


def _joins_onto(base: str | None) -> bool:
    """Whether urljoin accepts `base` (it refuses, say, a broken IPv6 host)."""
    try:
        return not base or urlsplit(base) is not None      # urlsplit caches its answers
    except ValueError:
        return False


def media_url(url: str | None, base: str | None) -> str | None:
    """An enclosure's, a Media RSS item's or an attachment's URL, absolute: as
    `absolute_url`, and None for a reference to the document itself ("#", "#top"), a
    template's placeholder for a missing file that would make the feed a lead image."""
    if url and encode_illegal_characters(url).startswith("#"):
        return None
    return absolute_url(url, base)


# What the URL Standard (WHATWG, "basic URL parser") removes from a URL (tabs and
# newlines) and percent-encodes in every part of it (controls, space, `"`, `<`, `>`).
# Non-ASCII letters stay as written: browsers read them (IRIs), and the keys of entries
# known by their link stay what they were.
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL_OR_SPACE = "".join(map(chr, range(0x21)))
_ILLEGAL_IN_URL = re.compile(r'[\x00-\x20\x7f"<>]')


def encode_illegal_characters(url: str) -> str:
    """`url` stripped and with its illegal characters percent-encoded as a browser
    would ("post 3?a=b c" → "post%203?a=b%20c")."""
    url = _TAB_OR_NEWLINE.sub("", url.strip(_CONTROL_OR_SPACE))
    return _ILLEGAL_IN_URL.sub(lambda match: f"%{ord(match.group()):02X}", url)


# -- dates ----------------------------------------------------------------------------------

def parse_date(text: str | None) -> datetime | None:
    """An aware UTC datetime (whole seconds) from any date a feed writes, or None.

    RFC 822 (RSS) and ISO 8601 (Atom, JSON Feed) with an explicit zone take the fast
    road; everything else goes through feedparser's own date parser, so the fast path
    and the feedparser fallback read odd dates identically. Before either: a Unix time
    is read as one (feedparser reads "1732838400" as 2017), "UTC+01:00" as "+0100" and a
    12-hour clock as a 24-hour one (feedparser drops both, an hour or twelve off); a
    date neither reads is tried again in English (`_in_english`: French, German, Spanish,
    Italian, Portuguese and Dutch month names, a weekday, "25.", the US order, no zone,
    "25.11.2026", "25/11/2026" when it cannot be "11/25"). Milliseconds since 1970,
    "2026/11/25" and Java's "Wed Nov 25 10:00:00 CET 2026" are rewritten first: feedparser
    misreads them (year 1795, the 1st of the month, UTC). An IANA zone after the time
    ("Europe/Paris") is read through the system's time-zone database, or not at all.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    if _AS_THE_STANDARDS_WRITE_IT.match(text):      # most dates: no rewriting to try
        return _parse_written_date(text)
    epoch = _EPOCH.match(text)
    if epoch:
        return _from_epoch(epoch)
    region = _REGION_ZONE.search(text)
    if region:
        return _in_region(parse_date(text[:region.start()]), region.group(1))
    text = _with_24_hour_clock(_ZONE_AFTER_UTC.sub(_as_offset, _in_rfc822_order(text)))
    return _parse_written_date(text) or (
        _parse_written_date(localised) if (localised := _in_english(text)) != text else None)


def _parse_written_date(written: str) -> datetime | None:
    text = _with_numeric_zone(written)
    if text is None or _IMPOSSIBLE_OFFSET.search(text):
        return None
    parsed = _parse_iso8601(text) or _parse_rfc822(text)
    if parsed is None:
        as_tuple = feedparser.datetimes._parse_date(text)  # noqa: SLF001 - see docstring
        if as_tuple is None:
            return None
        try:
            year, month, day, hour, minute, second = as_tuple[:6]
            parsed = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (ValueError, OverflowError):
            return None
    try:
        return parsed.astimezone(UTC).replace(microsecond=0)
    except OverflowError:   # "9999-12-31T23:59-01:00" in UTC is past year 9999
        return None


# A Unix timestamp (seconds, 1973 to 2286) where a date should be; some CMSes write one.
# RFC 822 and ISO 8601 as most feeds write them, with a numeric or UTC zone.
_AS_THE_STANDARDS_WRITE_IT = re.compile(
    r"(?:(?:[A-Z][a-z]{2}, )?\d\d? [A-Z][a-z]{2} \d{4} \d\d:\d\d(?::\d\d)? (?:[+-]\d{4}|GMT|UTC|Z)"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))\Z")
# In seconds (1973 to 2286, a fraction allowed) or, as JavaScript writes it, milliseconds.
_EPOCH = re.compile(r"^(\d{9,10})(?:\.\d+)?$|^(\d{12,13})$")
# An IANA zone after a time: "10:00:00 Europe/Paris", "10:00 (America/New_York)".
_REGION_ZONE = re.compile(r"(?<=\d)\s+\(?([A-Za-z]+(?:/[A-Za-z0-9_+-]+)+)\)?$")
# "2026/11/25": feedparser reads the month and loses the day.
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?=$|[\sT])")
# Java's Date.toString() and Unix `date`: "Wed Nov 25 10:00:00 CET 2026". feedparser
# reads it without its zone.
_ZONE_BEFORE_YEAR = re.compile(r"^(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+"
                               r"(\d{1,2}:\d\d(?::\d\d)?)\s+([A-Za-z]{1,5}|[+-]\d{4})\s+(\d{4})$")
# Day, month, year in digits: "25.11.2026" (always that order), "25/11/2026" (or the US
# month first: read only when one of the two cannot be a month).
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?=$|\s)")
_SLASHED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?=$|\s)")
# "à 10h00", "um 10:00", "a las 10:00": the word between a date and its time.
_BEFORE_TIME = re.compile(r"\s+(?:à|a|um|at|alle|om|às|a las|-|,)\s+(?=\d{1,2}[:h]\d\d)",
                          re.IGNORECASE)
_H_TIME = re.compile(r"(?<=\s)(\d{1,2})h(\d\d)\b")
# "UTC+01:00", "GMT+1", "UTC -05:30": an offset from UTC, written as RFC 822's "+0100".
_ZONE_AFTER_UTC = re.compile(r"\s*(?<![A-Za-z])(?:UTC|GMT|UT)\s*([+-])(\d\d?)(?::?(\d\d))?\s*$",
                             re.IGNORECASE)
# A 12-hour time: "10:00 PM", "2:30:15 a.m.".
_TWELVE_HOUR = re.compile(r"\b(\d{1,2})(:\d\d(?::\d\d)?)\s*([AaPp])\.?\s?[Mm]\b\.?")
# A weekday before the date ("lun.,", "Mo,", "Monday,"): the date says it again.
_LEADING_WEEKDAY = re.compile(r"^[^\W\d_]+\.?,\s*")
# German and Scandinavian day numbers take a full stop: "25. November 2026".
_DAY_WITH_STOP = re.compile(r"\b(\d{1,2})\.\s*(?=[^\W\d_])")
# A month name and its optional abbreviation stop: "nov.", "März", "déc.".
_MONTH_WORD = re.compile(r"\b([^\W\d_]{3,})\.?")
# The US order "Nov 25, 2026 10:00": day first, as RFC 822 writes it.
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,})\.? (\d{1,2}),? (\d{4})\b")
# A time with nothing after it: no zone.
_ENDS_WITH_TIME = re.compile(r"(?:^|[\sT])\d{1,2}:\d\d(?::\d\d)?$")
# Month names and abbreviations of French, German, Spanish, Italian, Portuguese and Dutch
# feeds (written without accents here; the text is matched without them too).
_MONTHS = {english: english for english in
           ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
            "dec")}
for _english, _names in {
    "Jan": "january janvier janv januar janner jan enero ene gennaio gen janeiro januari",
    "Feb": "february fevrier fevr fev februar febrero febbraio fevereiro februari",
    "Mar": "march mars marz mrz marzo marco maart mrt maa",
    "Apr": "april avril avr abril aprile abr",
    "May": "mai mayo maggio mag maio mei",
    "Jun": "june juin juni junio giugno giu junho",
    "Jul": "july juillet juil juli julio luglio lug julho",
    "Aug": "august aout agosto ago augustus",
    "Sep": "september septembre sept septiembre setiembre settembre set setembro",
    "Oct": "october octobre oktober okt octubre ottobre ott outubro out",
    "Nov": "november novembre noviembre novembro",
    "Dec": "december decembre dezember dez diciembre dic dicembre dezembro",
}.items():
    _MONTHS.update(dict.fromkeys(_names.split(), _english))


def _from_epoch(match: re.Match[str]) -> datetime | None:
    seconds = int(match.group(1)) if match.group(1) else int(match.group(2)) // 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _in_region(wall_time: datetime | None, name: str) -> datetime | None:
    """A wall-clock time (read as if UTC) in the IANA zone `name`, in UTC; None for a
    zone this system's time-zone database does not know (no silent UTC)."""
    if wall_time is None:
        return None
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return wall_time.replace(tzinfo=zone).astimezone(UTC)


def _in_rfc822_order(text: str) -> str:
    """Orders feedparser reads wrongly (not merely not at all) in one it reads right."""
    text = _SLASHED_ISO.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
    return _ZONE_BEFORE_YEAR.sub(r"\2 \1 \5 \3 \4", text)


def _numeric_day_first(match: re.Match[str]) -> str:
    day, month, year = int(match[1]), int(match[2]), match[3]
    if match.group().count("/") and day <= 12:       # 11/05/2026: which is the month?
        if month <= 12:
            return match.group()
        day, month = month, day
    return f"{year}-{month:02d}-{day:02d}" if 1 <= month <= 12 else match.group()


def _as_offset(match: re.Match[str]) -> str:
    sign, hours, minutes = match.groups()
    return f" {sign}{int(hours):02d}{minutes or '00'}"


def _with_24_hour_clock(text: str) -> str:
    """"10:00 PM" as "22:00", "12:30 AM" as "00:30"; an hour a 12-hour clock has not is
    left as written (the date is then unreadable, not wrong)."""
    def convert(match: re.Match[str]) -> str:
        hour = int(match.group(1))
        if not 1 <= hour <= 12:
            return match.group()
        hour = hour % 12 + (12 if match.group(3) in "Pp" else 0)
        return f"{hour:02d}{match.group(2)}"
    return _TWELVE_HOUR.sub(convert, text)


def _in_english(text: str) -> str:
    """A date written in another language, or in another order, as RFC 822 writes it:
    no weekday, "25 Nov 2026", an offset ("+0000" when a time has none). The text as it
    was when nothing in it needs that."""
    text = _LEADING_WEEKDAY.sub("", text).removesuffix(" Uhr")
    text = _SLASHED_DATE.sub(_numeric_day_first, _DOTTED_DATE.sub(_numeric_day_first, text))
    text = _H_TIME.sub(r"\1:\2", _BEFORE_TIME.sub(" ", text))
    if text[:4].isdigit():          # now ISO 8601, read (as UTC without a zone) as such
        return text
    text = _DAY_WITH_STOP.sub(r"\1 ", text)

    def month(match: re.Match[str]) -> str:
        folded = "".join(c for c in unicodedata.normalize("NFKD", match.group(1))
                         if not unicodedata.combining(c)).casefold()
        english = _MONTHS.get(folded)
        return english.capitalize() if english else match.group()
    text = _MONTH_FIRST.sub(r"\2 \1 \3", _MONTH_WORD.sub(month, text))
    if _ENDS_WITH_TIME.search(text):
        text += " +0000"       # as an ISO 8601 time without an offset is read
    return text


def _with_numeric_zone(text: str) -> str | None:
    """The date with a named zone after its time written as an offset ("09:00 CET" →
    "09:00 +0100"), as it was without one, or None when the name is unknown (zones.py)."""
    zone = _NAMED_ZONE.search(text)
    if zone is None:
        return text
    name = zone.group(2).upper()
    if name in UTC_NAMES or name in {"AM", "PM"}:
        return text
    offset = numeric_offset(name)
    return f"{text[:zone.end(1)]} {offset}" if offset else None


def _parse_iso8601(text: str) -> datetime | None:
    if len(text) < 20 or not text[:4].isdigit() or text[4] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _parse_rfc822(text: str) -> datetime | None:
    if not _RFC822_ZONE.search(text):
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None or parsed.year < 1970:
        return None
    written = _RFC822_YEAR.search(text)
    if written and len(written.group(1)) > 2 and int(written.group(1)) < 100:
        return None         # "0000": Python reads it as a two-digit year, 2000
    return parsed


# -- people and text ------------------------------------------------------------------------

def collapse_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def author_name(raw: str | None) -> str | None:
    """A display name from "jane@example.com (Jane Doe)", "Jane <jane@…>" or "Jane".

    An address alone is kept (it is all the feed says); an address next to a name goes.
    """
    if not raw:
        return None
    text = collapse_whitespace(raw)
    without_email = collapse_whitespace(_EMAIL.sub(" ", text)).strip("()<> ")
    name = without_email or text.strip("<>() ")
    return name[:NAME_MAX] or None


# A byline names at most this many people, then counts the others: a paper's 40 authors
# would not fit a page's byline, nor `NAME_MAX`.
MAX_BYLINE_NAMES = 3


def byline(names: Iterable[str]) -> str | None:
    """Several people as one byline, as an article is signed: "A", "A and B", "A, B and
    C", then "A, B, C and 2 others"; whitespace collapsed, blank names and repeats (in any
    case) left out. None when nobody is named."""
    people: list[str] = []
    for raw in names:
        name = collapse_whitespace(raw)
        if name and name.casefold() not in {person.casefold() for person in people}:
            people.append(name)
    if len(people) > MAX_BYLINE_NAMES:
        others = len(people) - MAX_BYLINE_NAMES
        people = [*people[:MAX_BYLINE_NAMES], f"{others} other" + ("s" if others > 1 else "")]
    if not people:
        return None
    return people[0] if len(people) == 1 else f"{', '.join(people[:-1])} and {people[-1]}"


def signed_by(written: Iterable[str | None]) -> str | None:
    """The byline of an entry several people sign (several atom:author or dc:creator
    elements), each read by `author_name`: "A, B and C" (`byline`). One given only by an
    e-mail address is left out beside named ones: feedparser lends such an author the
    name of the one before it, so neither path may name it."""
    names = [name for name in map(author_name, written) if name]
    named = [name for name in names if not _EMAIL.fullmatch(name)]
    return byline(named or names[:1])


def is_signed_by_several(written: Iterable[str | None]) -> bool:
    """Whether more than one author element says something (`signed_by` reads them)."""
    return sum(1 for text in written if text and text.strip()) > 1


def has_address(text: str) -> bool:
    """Whether an author's text holds an e-mail address ("jo@x.example (Jo)")."""
    return _EMAIL.search(text) is not None


# -- tags -----------------------------------------------------------------------------------

@lru_cache(maxsize=4096)   # a feed names the same few tags on every entry
def tag_slug(name: str) -> str:
    """The URL slug and unique key of a tag: accents folded, case folded, words joined by
    hyphens; letters of every script are kept ("日本" stays "日本")."""
    return name_key(name)[:TAG_NAME_MAX].strip("-")


def normalise_tags(names: Iterable[str],
                   limit: int | None = MAX_TAGS_PER_ENTRY) -> tuple[str, ...]:
    """Display names with whitespace collapsed, deduplicated by slug (first spelling wins),
    in feed order, at most `limit` (None: all, to count what a cap leaves out); names
    that slug to nothing ("#", "—") are dropped."""
    seen: set[str] = set()
    tags: list[str] = []
    for raw in names:
        name = collapse_whitespace(raw).strip("#").strip()[:TAG_NAME_MAX]
        slug = tag_slug(name)
        if slug and slug not in seen:
            seen.add(slug)
            tags.append(name)
            if len(tags) == limit:
                break
    return tuple(tags)
