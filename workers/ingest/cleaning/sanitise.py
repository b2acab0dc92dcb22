"""Sanitise feed HTML with nh3 (an allow-list), make its URLs absolute, and read text out.

INVARIANT: nh3 is always the last step that writes HTML. Whatever runs before it (the
cheap pre-pass that drops tracking pixels, foreign iframes and players with nothing to
play) may be fooled by hostile markup without harm. After it, one step empties iframes
(`_settled_iframes`): their children, fallback text no browser shows, are the one
place nh3's serialisation leaves `<` unescaped. From then on every `<` starts a tag nh3
wrote and every attribute is double-quoted with `<`, `>` and `"` escaped, so code that
*reads* the result (lead image, embed, plain text) can use regular expressions exactly,
and the one edit, `without_image`, removes whole elements only, which keeps the HTML
what nh3 would write (tests/workers/ingest/steps/test_clean.py checks it on every fixture).

URL rewriting happens inside nh3 through its attribute filter, which sees every
attribute nh3 kept. The filter is also the scheme gate: ammonia checks schemes before
calling it, so a value returned by the filter is not checked again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import nh3

from hopper.html_policy import ARTICLE_ATTRIBUTES, ARTICLE_TAGS, CLEAN_CONTENT_TAGS
from hopper.srcset import rewrite_srcset, srcset_candidates
from hopper.text import may_hold, shorten, without_controls, without_invisibles
from workers.ingest.cleaning.mathml import math_as_text
from workers.ingest.cleaning.media import (
    is_lead_image_candidate,
    is_same_image,
    is_tracker_size,
    meaningful_alt,
    video_embed_url,
)

SUMMARY_LENGTH = 300
LINK_REL = "noopener noreferrer nofollow"
URL_SCHEMES = frozenset({"http", "https", "mailto"})
WEB_SCHEMES = frozenset({"http", "https"})

_TAGS = set(ARTICLE_TAGS)
_CLEAN_CONTENT_TAGS = set(CLEAN_CONTENT_TAGS)
_ATTRIBUTES = ARTICLE_ATTRIBUTES
_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite"})

@dataclass(frozen=True, slots=True)
class _Base:
    url: str
    origin: str          # "https://host:port", for the common "/path" case
    scheme: str


_base: ContextVar[_Base | None] = ContextVar("sanitise_base", default=None)


# The scheme and host of most base URLs, as urlsplit reads them (a lower-case scheme, a
# host of printable ASCII without brackets, ended by a path, query or fragment), without
# its Python-level parsing.
_WEB_ORIGIN = re.compile(r"(https?)://[^/?#\[\]\x00-\x20\x7f-\U0010ffff]+(?=[/?#]|\Z)")


def _make_base(url: str | None) -> _Base | None:
    if not url:
        return None
    origin = _WEB_ORIGIN.match(url)
    if origin:
        return _Base(url, origin.group(0), origin.group(1))
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return _Base(url, f"{parts.scheme}://{parts.netloc}", parts.scheme)


def _absolute(value: str) -> str | None:
    """`value` resolved against the current base; None unless http(s) or mailto.

    The common shapes skip urljoin (the most expensive step of cleaning): absolute
    http(s) URLs are kept as they are, "/path" and "//host/path" get the base's origin or
    scheme prepended. Everything else goes through urljoin and a scheme check."""
    value = value.strip()
    head = value[:8].lower()
    if head.startswith(("https://", "http://")):
        return value
    base = _base.get()
    if base is not None and value.startswith("/"):
        if value.startswith("//"):
            return f"{base.scheme}:{value}" if base.scheme in WEB_SCHEMES else None
        return base.origin + value if base.scheme in WEB_SCHEMES else None
    try:
        resolved = urljoin(base.url if base else "", value)
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    return resolved if scheme in URL_SCHEMES else None


def _srcset(value: str) -> str | None:
    """Each candidate's URL made absolute (read as the HTML standard reads a srcset: a
    comma may be part of a URL); `data:` placeholders and mailto: are dropped."""
    return rewrite_srcset(value, _absolute_web) or None


def _absolute_web(value: str) -> str | None:
    url = _absolute(value)
    return url if url and not url.startswith("mailto:") else None


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "iframe" and attribute == "src":
        return video_embed_url(_absolute(value))       # allow-listed hosts only
    if attribute == "src" and element in {"audio", "video", "source"}:
        return _absolute_web(value)          # a file to play is fetched: http(s) only
    if attribute in _URL_ATTRIBUTES:
        return _absolute(value)
    if attribute == "srcset":
        return _srcset(value)
    if attribute == "alt" and element == "img":
        return meaningful_alt(value) or ""        # alt="": decorative, nothing printed
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    attributes=_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    link_rel=LINK_REL,
    url_schemes=set(URL_SCHEMES),
    set_tag_attribute_values={
        "img": {"loading": "lazy"},
        # Written in a random order: _settled_iframes puts them in one.
        "iframe": {"loading": "lazy", "referrerpolicy": "strict-origin-when-cross-origin",
                   "sandbox": "allow-scripts allow-same-origin allow-presentation"},
    },
)

_TEXT_CLEANER = nh3.Cleaner(
    tags={"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
          "td", "th", "tr", "dd", "dt", "figcaption"},
    clean_content_tags=_CLEAN_CONTENT_TAGS | {"iframe", "video", "audio", "picture"},
    attributes={},
    link_rel=None,
)

# -- the pre-pass (before nh3; may be fooled without harm, see the module docstring) ---------

_TAG_START = re.compile(r"<(img|iframe|source)\b[^>]*>", re.IGNORECASE)
# A name starts where no name character precedes it: a search from inside a long run of
# them ("<iframe ------…") would otherwise rescan the run from every character, in
# quadratic time (what a match finds is the same: the run's start finds it first).
_ATTRIBUTE = re.compile(r"""(?<![\w-])([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_STYLE_SIZE = re.compile(r"(width|height)\s*:\s*(\d+)px", re.IGNORECASE)
# Only an <img> that could be 0/1 pixel on a side, or an inline data: image, needs a look.
_MAYBE_TRACKER_OR_DATA = re.compile(
    r"""(?:width|height)\s*[=:]\s*["']?\s*[01](?!\d)|data:""", re.IGNORECASE)
# An <img> that would show no picture: its src is in a scheme other than http(s)
# (javascript:, vbscript:, mailto:…: the attribute filter drops it) and it has no srcset
# to fall back on. nh3 would keep the bare tag: an empty box the size of its width and
# height, or a broken-image icon beside its alt text. (An <img> with no src at all is
# kept: inside a <picture>, its <source> siblings give it the picture.)
_SRCSET = re.compile(r"\ssrcset\s*=", re.IGNORECASE)
_SRC_OF_ANOTHER_SCHEME = re.compile(
    r"""\ssrc\s*=\s*["']?\s*(?!https?:)[a-z][a-z\d+.-]*:""", re.IGNORECASE)
# Lazy loading (lazysizes, WordPress plugins, jQuery lazyload): the picture waits in one of
# these until a script swaps it into src/srcset, and src holds a placeholder (a data: GIF,
# a grey square, a blurred thumbnail) meanwhile. No script runs here, so the swap is done
# before nh3 (which would drop data-* attributes), in the order of preference below.
LAZY_SRC_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original")
LAZY_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset")
_MAYBE_LAZY = re.compile(r"\sdata-(?:lazy-)?src(?:set)?\s*=|\sdata-original\s*=",
                         re.IGNORECASE)


def _attributes_of(tag: str) -> dict[str, str]:
    return {name.lower(): value.strip("\"'") for name, value in _ATTRIBUTE.findall(tag)}


def _is_data_url(value: str | None) -> bool:
    return (value or "").strip().lower().startswith("data:")


def _with_lazy_picture(element: str, tag: str) -> str:
    """`tag` with the lazily loaded picture promoted into src and srcset (see
    LAZY_SRC_ATTRIBUTES), or unchanged when it names none. A lazy attribute that is
    itself a data: URL promotes nothing."""
    written = {name.lower(): value for name, value in _ATTRIBUTE.findall(tag)}  # quoted
    values = {name: value.strip("\"'") for name, value in written.items()}
    src = next((written[name] for name in LAZY_SRC_ATTRIBUTES
                if values.get(name, "").strip() and not _is_data_url(values[name])), None)
    srcset = next((written[name] for name in LAZY_SRCSET_ATTRIBUTES
                   if values.get(name, "").strip()), None)
    if src is None and srcset is None:
        return tag
    if src is None and srcset is not None and element == "img" and (
            not values.get("src", "").strip() or _is_data_url(values.get("src"))):
        # Only a srcset: its first picture stands in src too (the lead-image pick and
        # browsers without srcset read src).
        first = next((c.url for c in srcset_candidates(html.unescape(srcset.strip("\"'")))
                      if not _is_data_url(c.url)), None)
        src = f'"{html.escape(first)}"' if first else None
    replaced = {*LAZY_SRC_ATTRIBUTES, *LAZY_SRCSET_ATTRIBUTES}
    promoted = []
    if src is not None or _is_data_url(values.get("src")):
        replaced.add("src")
        promoted += [f"src={src}"] if src is not None else []
    if srcset is not None:
        replaced.add("srcset")
        promoted.append(f"srcset={srcset}")
    kept = [f"{name}={value}" for name, value in _ATTRIBUTE.findall(tag)
            if name.lower() not in replaced]
    return f"<{element} {' '.join([*promoted, *kept])}>"


def _shows_no_picture(img: str) -> bool:
    return bool(_SRC_OF_ANOTHER_SCHEME.search(img)) and not _SRCSET.search(img)


def _drop_trackers_and_foreign_iframes(markup: str) -> str:
    """Also promotes lazily loaded pictures (`_with_lazy_picture`)."""
    if "<i" not in markup and "<I" not in markup:
        return markup

    def replace(match: re.Match[str]) -> str:
        tag = match.group(0)
        element = match.group(1).lower()
        if element != "iframe" and may_hold(tag, "data-") and _MAYBE_LAZY.search(tag):
            tag = _with_lazy_picture(element, tag)
        if element == "img" and _shows_no_picture(tag):
            return ""
        if element == "source" or (element == "img" and not (
                may_hold(tag, "width", "height", "data:")
                and _MAYBE_TRACKER_OR_DATA.search(tag))):
            return tag                                   # the common case, decided cheaply
        attributes = _attributes_of(tag)
        if element == "iframe":
            return tag if video_embed_url(attributes.get("src")) else ""
        if _is_data_url(attributes.get("src")):
            return ""                                   # nh3 would leave an empty <img>
        sizes = {k.lower(): v for k, v in _STYLE_SIZE.findall(attributes.get("style", ""))}
        width = attributes.get("width", sizes.get("width"))
        height = attributes.get("height", sizes.get("height"))
        return "" if is_tracker_size(width, height) else tag

    return sub_tags(_TAG_START, replace, markup)


# A player with nothing it may play: a <video> or <audio> none of whose sources (its own
# src, its <source>s) the attribute filter keeps (javascript:, data:, ftp:, none at all).
# nh3 would keep the bare element: an empty black box, or a player that never plays.
_PLAYER_START = re.compile(r"<(video|audio)(?=[\s/>])", re.IGNORECASE)
_PLAYER_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("video", "audio")}
_PLAYER_SOURCE = re.compile(r"<(?:video|audio|source)\b[^<>]*>", re.IGNORECASE)


def _without_unplayable_players(markup: str) -> str:
    """Each <video> and <audio> element (start tag to end tag) that has no source to play
    removed with its fallback content. Linear: a player that never closes ends the
    search (none after it can close either, for the pre-pass's purpose)."""
    player = _PLAYER_START.search(markup)
    if player is None:
        return markup
    kept: list[str] = []
    position = 0
    while player is not None:
        end = _PLAYER_END[player.group(1).lower()].search(markup, player.end())
        if end is None:
            break
        element = markup[player.start():end.end()]
        kept += [markup[position:player.start()], element if _can_play(element) else ""]
        position = end.end()
        player = _PLAYER_START.search(markup, position)
    return "".join(kept) + markup[position:]


def _can_play(element: str) -> bool:
    """Whether a src of the player or of one of its <source>s survives the attribute
    filter (`_filter_attribute`: an http(s) file, relative ones resolved)."""
    return any(_absolute_web(html.unescape(src))
               for tag in _PLAYER_SOURCE.findall(element)
               if (src := _attributes_of(tag).get("src", "").strip()))


def sub_tags(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str] | str,
             markup: str) -> str:
    """`pattern.sub(replace, markup)` for a pattern whose matches end with the first `>`
    after their `<`, in linear time. No match can start after the last `>`, but a
    search would try each `<` there and scan to the end from every one of them:
    quadratic on hostile markup ("<img<img<img…" and no `>`), minutes for a few
    hundred kilobytes. So only the markup up to its last `>` is searched."""
    end = markup.rfind(">") + 1
    return pattern.sub(replace, markup[:end]) + markup[end:]


# -- public ---------------------------------------------------------------------------------

def sanitise_html(markup: str, *, base_url: str | None) -> str:
    """Safe HTML: allow-listed tags and attributes, absolute http(s) URLs, no trackers,
    `rel="noopener noreferrer nofollow"` on links, `loading="lazy"` on images, iframes
    only for YouTube (nocookie) and Vimeo."""
    if not markup:
        return ""
    token = _base.set(_make_base(base_url))
    try:
        # nh3 last: see the module docstring. It keeps control characters in text, so
        # they go first (hopper.text.without_controls).
        return _settled_iframes(_CLEANER.clean(_without_unplayable_players(
            _drop_trackers_and_foreign_iframes(math_as_text(without_controls(markup)))))).strip()
    finally:
        _base.reset(token)


# nh3 writes an iframe's text children as they came (HTML reads them as raw text):
# `<iframe …></ifr<img …>ame><script>…` is harmless as nh3 writes it, but a regular
# expression would read an image there, and removing that image would close the iframe
# early. The content ends at the first `</iframe>`: any earlier one would have closed it.
# nh3 escapes `>` in attribute values, so the start tag ends at the first `>`.
_IFRAME_WITH_CONTENT = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL)
# One attribute as nh3 writes it: a name, and a double-quoted value with `"` escaped.
_WRITTEN_ATTRIBUTE = re.compile(r'\s+([^\s=]+)(="[^"]*")?')


def _settled_iframes(sanitised: str) -> str:
    """Every iframe emptied (above), with the attributes nh3 adds (`_ADDED_TO_IFRAMES`)
    last and in one order: nh3 writes them from a hash map seeded afresh in each process,
    so the same embed came out in one of six orders, and an article's content hash
    changed with the worker that polled it (rewritten as "updated" for nothing)."""
    if "<iframe" not in sanitised:
        return sanitised
    return _IFRAME_WITH_CONTENT.sub(_settled_iframe, sanitised)


_ADDED_TO_IFRAMES = ("loading", "referrerpolicy", "sandbox")


def _settled_iframe(match: re.Match[str]) -> str:
    attributes = _WRITTEN_ATTRIBUTE.findall(match.group(1))
    ordered = [attribute for attribute in attributes if attribute[0] not in _ADDED_TO_IFRAMES]
    ordered += sorted(attribute for attribute in attributes
                      if attribute[0] in _ADDED_TO_IFRAMES)
    return "<iframe" + "".join(f" {name}{value}" for name, value in ordered) + "></iframe>"


def escape_text(text: str) -> str:
    """Plain text as HTML: escaped, never trusted; blank lines become paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs)


# -- reading sanitised HTML (nh3's serialisation: double-quoted attributes, `"` and `>`
# escaped inside them, no comments) ---------------------------------------------------------

_SANITISED_TAG = re.compile(r"</?[a-z0-9]+[^>]*>")
_SANITISED_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|pre|table|tr|td|th|figure|figcaption|dd|dt"
    r"|dl|hr|details|summary|caption|section|img|iframe|video|audio)\b[^>]*>")
_IMG = re.compile(r"<img\b[^>]*>")
_IFRAME_SRC = re.compile(r'<iframe\b[^>]*?\ssrc="([^"]+)"')
_QUOTED_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    alt: str | None


def plain_text(sanitised: str) -> str:
    """The words a reader sees, whitespace collapsed; block ends become spaces."""
    spaced = _SANITISED_BLOCK_TAG.sub(" ", sanitised)
    text = html.unescape(_SANITISED_TAG.sub("", spaced))
    return " ".join(text.split())


# Blocks that are no prose: a summary read from a body leaves them out (a card that
# begins "Year Passengers Change 2024 1,234,567" says nothing). nh3's output closes every
# element it opens, so each match ends at its own end tag.
_NOT_PROSE = re.compile(r"<(table|pre|figure)\b[^>]*>.*?</\1>", re.DOTALL)


def leading_text(sanitised: str, length: int = SUMMARY_LENGTH) -> str:
    """The plain text of the start of sanitised HTML, at least `length` + 20 characters
    when there are that many: a summary never needs the whole body. Tables, code and
    figures are left out, unless the body holds nothing else."""
    if "<table" in sanitised or "<pre" in sanitised or "<figure" in sanitised:
        prose = _leading_text(_NOT_PROSE.sub(" ", sanitised), length)
        if prose:
            return prose
    return _leading_text(sanitised, length)


def _leading_text(sanitised: str, length: int) -> str:
    window = 4 * length
    while window < len(sanitised):
        head = sanitised[:window]
        if head.rfind("<") > head.rfind(">"):            # do not read half a tag
            head = head[: head.rfind("<")]
        text = plain_text(head)
        if len(text) > length + 20:
            return text.rsplit(" ", 1)[0]                # the last word may be cut
        window *= 2
    return plain_text(sanitised)


def text_from_markup(markup: str) -> str:
    """Plain text from HTML that may be hostile or may just be text with an `&amp;` in it
    (titles, summaries): nh3 keeps only block tags, without attributes (no URL work),
    then tags become spaces and entities are decoded. Control characters never stay
    (hopper.text.without_controls), written or as references, nor invisible ones that
    split words (hopper.text.without_invisibles: `&shy;`, a stray zero-width space)."""
    if "<" not in markup and "&" not in markup:
        return " ".join(without_invisibles(without_controls(markup)).split())
    return " ".join(without_invisibles(
        without_controls(plain_text(_TEXT_CLEANER.clean(markup)))).split())


# Every element an HTML parser knows (WHATWG, obsolete ones included; not <blink>, which
# browsers read as an unknown element): only these open a tag in a title. Anything else
# in angle brackets is text.
_HTML_ELEMENT_NAMES = """
a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big
blockquote body br button canvas caption center cite code col colgroup data datalist
dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form
frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label
legend li link main map mark marquee menu meta meter nav nobr noembed noframes noscript
object ol optgroup option output p param picture plaintext pre progress q rp rt ruby s samp
script search section select slot small source span strike strong style sub summary sup svg
math table tbody td template textarea tfoot th thead time title tr track tt u ul var video
wbr xmp
"""
HTML_ELEMENTS = frozenset(_HTML_ELEMENT_NAMES.split())
PLAIN_TITLE_MAX = 4000
_MAYBE_TAG = re.compile(
    r"<(?:!--.*?-->|(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)/?>)|<", re.DOTALL)


# "&amp;#8217;", "&amp;eacute;": a reference whose `&` was escaped once more. Not
# "&amp;amp;", which an RSS title uses to show "&amp;" (itself a reference to "&").
_TWICE_ESCAPED_REFERENCE = re.compile(
    r"&amp;(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|(?!amp;)[A-Za-z][A-Za-z0-9]{1,31};)")


# Elements that have no end tag: alone, they are markup ("<br>", "<img …>").
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                           "meta", "source", "track", "wbr"})


def markup_from_plain_title(title: str) -> str:
    """An RSS/RDF title (plain text that may carry HTML: RSS never says which) as
    markup for `text_from_markup`: only real markup stays markup — a comment, an entity,
    a void element's tag ("<br>"), or an HTML element's tag that its other half pairs
    ("<b>Breaking</b>") — and any other `<` is escaped as the character it is ("Why a<b
    matters", "if x<y and y>z then", "<analysis>", "Array<Object>", "a<b and c>d", "the
    <time> element"). Atom says a title's type, and its html/xhtml titles never come
    through here.

    A character reference escaped twice ("It&amp;#8217;s", "Caf&amp;eacute;": WordPress
    plugins and templates that escape an escaped title) is read as the reference it
    was meant to be, as most readers show it ("It’s"); `&amp;amp;` stays "&amp;" text."""
    if "&amp;" in title:
        title = _TWICE_ESCAPED_REFERENCE.sub(r"&\1", title)
    if "<" not in title:
        return title
    # Far beyond any headline (stored ones are cut to a few hundred characters); the
    # comment scan below is quadratic in the length of a hostile one ("<!--<!--…").
    title = title[:PLAIN_TITLE_MAX]
    tags = list(_MAYBE_TAG.finditer(title))
    # Where each element's start and end tags are, to pair them.
    starts: dict[str, list[int]] = {}
    ends: dict[str, list[int]] = {}
    for match in tags:
        if match.group(2):
            name = match.group(2).lower()
            (ends if match.group(1) else starts).setdefault(name, []).append(match.start())

    def is_markup(match: re.Match[str]) -> bool:
        whole = match.group(0)
        if whole.startswith("<!--"):
            return True
        if not match.group(2):
            return False
        name = match.group(2).lower()
        if name not in HTML_ELEMENTS:
            return False
        if name in VOID_ELEMENTS:
            return True
        if match.group(1):      # an end tag closes a start tag before it
            return any(start < match.start() for start in starts.get(name, ()))
        return any(end > match.start() for end in ends.get(name, ()))

    def keep_or_escape(match: re.Match[str]) -> str:
        whole = match.group(0)
        return whole if is_markup(match) else "&lt;" + whole[1:]

    return _MAYBE_TAG.sub(keep_or_escape, title)


RIGHTS_LINE_MAX = 300


def rights_line(element: str, text: str | None) -> str:
    """A feed's reuse statement as one line of plain text for the admin ("" if empty)."""
    statement = text_from_markup(text or "")[:RIGHTS_LINE_MAX]
    return f"feed {element}: {statement}" if statement else ""


def summarise(text: str, length: int = SUMMARY_LENGTH) -> str:
    """At most about `length` characters, cut at a word boundary with an ellipsis."""
    return shorten(text, length)


def first_image(sanitised: str) -> Image | None:
    """The first real image in sanitised HTML (trackers are gone by now)."""
    for match in _IMG.finditer(sanitised):
        attributes = dict(_QUOTED_ATTRIBUTE.findall(match.group(0)))
        url = html.unescape(attributes.get("src", ""))
        if url and is_lead_image_candidate(url) and not is_tracker_size(
                attributes.get("width"), attributes.get("height")):
            alt = html.unescape(attributes.get("alt", "")).strip()
            return Image(url, alt or None)
    return None


_FIGURE = re.compile(r"<figure\b[^>]*>(.*?)</figure>", re.DOTALL)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.DOTALL)


def figure_caption(sanitised: str, url: str | None) -> str | None:
    """The plain text of the figcaption in the <figure> that shows `url` (often a credit,
    "Photo: Reuters"): `without_image` removes that figure with the image."""
    if not url or "<figcaption" not in sanitised:
        return None
    for figure in _FIGURE.finditer(sanitised):
        caption = _FIGCAPTION.search(figure.group(1))
        if caption and any(
                is_same_image(html.unescape(dict(_QUOTED_ATTRIBUTE.findall(img.group(0)))
                                            .get("src", "")), url)
                for img in _IMG.finditer(figure.group(1))):
            return plain_text(caption.group(1)) or None
    return None


# What removing an image may leave empty, innermost first; removed with it.
_EMPTIED = (re.compile(r"<a\b[^>]*>\s*</a>"),
            re.compile(r"<picture\b[^>]*>(?:\s*<source\b[^>]*>)*\s*</picture>"),
            re.compile(r"<figure\b[^>]*>\s*(?:<figcaption\b[^>]*>(?:(?!</?figure).)*?"
                       r"</figcaption>)?\s*</figure>", re.DOTALL),
            re.compile(r"<p\b[^>]*>\s*</p>"),
            re.compile(r"<div\b[^>]*>\s*</div>"))


def without_image(sanitised: str, url: str | None) -> str:
    """`sanitise_html`'s output without the images showing `url` (the lead image, which
    the page already shows above the body), nor the link, figure or paragraph they leave
    empty. Whole elements go, so the result is still what nh3 writes (the module
    docstring): no second nh3 pass, which cost as much as a fifth of cleaning an entry."""
    if not url or "<img" not in sanitised:
        return sanitised
    removed = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal removed
        src = html.unescape(dict(_QUOTED_ATTRIBUTE.findall(match.group(0))).get("src", ""))
        if src and is_same_image(src, url):
            removed += 1
            return ""
        return match.group(0)

    edited = _IMG.sub(drop, sanitised)
    if not removed:
        return sanitised
    for pattern in _EMPTIED:
        edited = pattern.sub("", edited)
    return edited.strip()


# A body's video is the article's own video when it leads the body (at most this many
# words before it) or the body is little more than the video (at most this many words in
# all). A clip embedded further into a long report is part of the report: the article
# keeps its lead picture and the clip stays where the writer put it.
EMBED_LEADS_WORDS = 50
SHORT_BODY_WORDS = 150


def leading_embed(sanitised: str) -> str | None:
    """The first allow-listed video iframe in sanitised HTML (its src is already the
    canonical embed URL) when the body is about it: it comes first, or the body is short."""
    match = _IFRAME_SRC.search(sanitised)
    if match is None:
        return None
    if _word_count(sanitised[:match.start()]) > EMBED_LEADS_WORDS \
            and _word_count(sanitised) > SHORT_BODY_WORDS:
        return None
    return html.unescape(match.group(1))


def _word_count(sanitised: str) -> int:
    return len(plain_text(sanitised).split())
