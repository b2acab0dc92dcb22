"""Plain text for readers: the one way Hopper shortens text, reading time, and which
characters are text at all.

Ingest (summaries it stores) and the web (cards, standfirsts, meta descriptions) both
shorten here, so no page ever shows a word cut in half or a cut without an ellipsis.
Ingest drops control characters with `without_controls` and tells a title that shows
nothing with `is_visible`; the CLI prints what feeds wrote through `for_terminal`. Stories
and the pages that list a headline beside its outlet read it `without_outlet`, one rule
for the outlet's credit around it ("… - BBC News", "Reuters: …").
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

ELLIPSIS = "…"
WORDS_PER_MINUTE = 230          # an adult's silent reading speed for news prose
# Fewer words than this is a feed's teaser, not the full text: no reading time for it.
FULL_TEXT_MIN_WORDS = 150
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")
# Trailing punctuation that reads badly before an ellipsis ("war, …").
_DANGLING = " ,;:.-–—([{\"'“‘"


# Terminal escape sequences (ECMA-48: a CSI "ESC [ … final byte", an OSC "ESC ] … BEL or
# ESC \" that can set a window title or write the clipboard, any other "ESC x"), then the
# control characters themselves: C0 but tab, line feed and carriage return (which are
# whitespace), DEL, and C1 (U+009B is a CSI too). None is text a reader sees; PostgreSQL
# refuses NUL in text columns; ESC drives the terminal of whoever prints it.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.?)",
                              re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """`text` without control characters (tab, line feed and carriage return stay) nor the
    terminal escape sequences they start."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def is_utf8(text: str) -> bool:
    """False for text holding lone surrogates: bytes that were not UTF-8, as Python
    reads them from a command line or a terminal (no database, hash or file takes them)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def for_terminal(text: str) -> str:
    """`text` safe to print on one line of a terminal: every control character, tab and
    line feed included, written out as an escape ("\\x1b") the reader can see."""
    return _ANY_CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}",
                            text.replace("\t", " ").replace("\n", " "))


# Characters that are never text and never separate words where they stand: a soft
# hyphen (a place to break a word: "Har\u00adbour"), the word joiners U+2060 and U+FEFF
# (also a byte order mark pasted into a title), the old Mongolian vowel separator.
_INVISIBLE = re.compile("[\u00ad\u180e\u2060\ufeff]")
# A zero-width space is a word boundary in Thai, Khmer or Burmese, which write none: it
# stays between letters of those. Beside a space, at an end, or inside a Latin, Greek or
# Cyrillic word ("Bre\u200bxit", pasted from a CMS) it is an artefact and goes.
_SPACED_LETTER = "A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_STRAY_ZERO_WIDTH_SPACE = re.compile(
    rf"(?<=[{_SPACED_LETTER}])\u200b+(?=[{_SPACED_LETTER}])"
    rf"|(?<![^\s])\u200b+|\u200b+(?![^\s])")


def without_invisibles(text: str) -> str:
    """`text` without the invisible characters that split a word for search, stories'
    duplicate keys and tag slugs while showing nothing (`_INVISIBLE`, stray zero-width
    spaces). Joiners that shape a script (ZWJ, ZWNJ) and bidi marks stay."""
    if "\u200b" in text:
        text = _STRAY_ZERO_WIDTH_SPACE.sub("", text)
    return _INVISIBLE.sub("", text)


# The letters outside ASCII that a case-insensitive regular expression matches with ASCII
# ones ("ſ" matches s, the Kelvin sign k, "İ" and "ı" i): found by trying every code point.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


def may_hold(text: str, *words: str) -> bool:
    """Whether `text` may hold one of `words` (ASCII, lower case) in any case, as a
    case-insensitive regular expression reads it: the test before such a search, which
    tries each letter of each word against every position of the text (tens of thousands
    of instructions for a line of HTML). False only when no such search can match."""
    if any(letter in text for letter in _FOLDS_TO_ASCII):
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)


def is_visible(text: str) -> bool:
    """Whether `text` shows anything: a character that is neither whitespace nor a format
    character (Unicode category Cf: zero-width space and joiners, bidi controls, soft
    hyphen), which have their use inside words but are no text on their own."""
    return any(not char.isspace() and unicodedata.category(char) != "Cf" for char in text)


def plain_text(markup: str) -> str:
    """Text of (sanitised) HTML on one line: tags dropped, entities decoded."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def shorten(text: str, length: int) -> str:
    """At most `length` characters plus an ellipsis, cut at a word boundary.

    A text that already fits is returned as it is. A single word longer than `length`
    (a URL, say) is the only thing ever cut inside a word."""
    text = " ".join(text.split())        # as `\s+` → " " and strip(), four times faster
    if len(text) <= length:
        return text
    window = text[: length + 1]
    cut = window.rsplit(" ", 1)[0] if " " in window else text[:length]
    return cut.rstrip(_DANGLING) + ELLIPSIS


def reading_minutes(markup: str) -> int:
    """Minutes a reader needs for the full text in `markup` (at least 1); 0 when it is
    too short to be more than a teaser."""
    words = len(_WORD.findall(plain_text(markup)))
    return max(1, round(words / WORDS_PER_MINUTE)) if words >= FULL_TEXT_MIN_WORDS else 0


def _comparable(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def is_opening_of(summary: str, body_text: str) -> bool:
    """Whether `summary` merely repeats the start of the body (what feeds do when they
    have no summary of their own, often cut short with "…" or "[…]")."""
    wanted = _comparable(summary.removesuffix(ELLIPSIS).removesuffix("..."))
    if not wanted:
        return True
    opening = _comparable(body_text)
    if opening.startswith(wanted):
        return True
    # A summary cut mid-word still repeats the opening up to its last whole word.
    whole_words = wanted.rsplit(" ", 1)[0]
    return len(whole_words) >= 40 and opening.startswith(whole_words)


def name_key(name: str) -> str:
    """The key a tag is stored under (its slug), and that search looks names up by:
    accents folded, case folded, words joined by hyphens; letters of every script kept
    ("日本" stays "日本")."""
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", "-", folded).strip("-")


# What stands between an outlet's credit and its headline: a colon or a bar (their
# full-width forms in CJK headlines too: "人民网：…"), an en or em dash, or, with a space
# before it, a hyphen, a middle dot or a bullet ("Name - …", but not "Reuters-backed
# study: …"). A colon only ever follows a credit: "…: Name" names a headline's subject.
_BEFORE_HEADLINE = re.compile(r"\s*[:：|｜—–]\s*|\s+[-·•]\s*")
_AFTER_HEADLINE = re.compile(r"\s*[|｜—–]\s*|\s+[-·•]\s*")
# A credit holding more than the outlet's name ("BBC News" for a source named "BBC")
# has at most this many words.
OUTLET_WORDS = 5


@lru_cache(maxsize=4096)
def without_outlet(title: str, outlet: str) -> str:
    """The headline without its outlet's credit before or after it: "… - BBC News",
    "Reuters: …", "… | The Guardian", "人民网：…". Pages list a headline beside its
    outlet's name, which should not be read twice; stories compare headlines, and an
    outlet's name read as a name the headline is sure of kept its copy of an event apart
    from other outlets' and gave its different events a name in common.

    A credit names the outlet when its words (case, punctuation and "the" aside) are the
    outlet's, part of them ("BBC News" for a source named "BBC News - World"), or hold
    them with a few more words of a name ("BBC News" for "BBC"; never "Reuters-backed
    study" for "Reuters"). The longest such credit goes. A name that is part of the
    sentence ("Pacific Chronicle wins award") stays; so does a title that would be left
    without a word."""
    name = _outlet_words(outlet)
    if not name:
        return title
    text = title.strip()
    after = [(text[:found.start()], text[found.end():])
             for found in _AFTER_HEADLINE.finditer(text)]
    before = [(text[found.end():], text[:found.start()])
              for found in _BEFORE_HEADLINE.finditer(text)]
    for splits in (after, before):
        named = [headline for headline, credit in splits
                 if _WORD.search(headline) and _names_outlet(credit, name)]
        if named:
            return min(named, key=len)
    return title


def _names_outlet(credit: str, name: frozenset[str]) -> bool:
    """Whether `credit` is the outlet's name, part of it, or it with a few more words of
    a name (capitalised, and no separator among them: "Bridge Reopens - BBC News" is no
    credit of "BBC News")."""
    found = _outlet_words(credit)
    if not found or found <= name:
        return bool(found)
    words = _WORD.findall(credit)
    return name <= found and len(words) <= OUTLET_WORDS \
        and _BEFORE_HEADLINE.search(credit) is None \
        and not any(word[:1].islower() for word in words if word.casefold() in found - name)


@lru_cache(maxsize=1024)
def _outlet_words(name: str) -> frozenset[str]:
    return frozenset(word for word in _WORD.findall(name.casefold()) if word != "the")
