"""Ampersands and references a feed got wrong, repaired before a parser reads them.

XML 1.0 lets `&` only start an entity reference (`&amp;`, §4.1) or a character reference
to a character XML allows (§2.2 `Char`). Feeds break that in three common ways, and each
made us lose text or the whole feed:

- a bare `&` ("AT&T", "Q&A"): lxml refuses the document, and feedparser's sgmllib reads
  "&T" as an entity and writes it back with a ";" ("AT&T;"). It becomes `&amp;`.
- an HTML named entity (`&nbsp;`, `&eacute;`), undefined in XML: its numeric reference.
  A name HTML does not know either is left as written (and noted: see `Repair`).
- a reference to no character (`&#xD800;`, `&#x110000;`, `&#99999999999;`) or to a
  noncharacter (`&#xFFFE;`): lxml refuses it and feedparser crashes on it. It becomes
  U+FFFD, the replacement character, as an HTML parser reads it. A reference to a C0
  control (`&#0;`, `&#27;`) is dropped: no control character is ever stored
  (cleaning strips them, hopper.text.without_controls).

CDATA sections and comments are left as written: an `&` inside them is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.entities import name2codepoint

REPLACEMENT = "&#xFFFD;"
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_AMPERSAND_OR_SKIPPED = re.compile(
    r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)"                    # 1: left as written
    r"|&(?:#[xX]([0-9A-Fa-f]+);|#([0-9]+);"               # 2: hex, 3: decimal
    r"|([A-Za-z][A-Za-z0-9._-]*);)?",                     # 4: a name; none: a bare &
    re.DOTALL)
_MAX_DIGITS = 8          # enough for U+10FFFF in decimal or hex, and any leading zeros


@dataclass(frozen=True, slots=True)
class Repair:
    text: str
    # What was repaired, in words for the source's warning; empty when nothing was.
    repairs: tuple[str, ...]
    # An entity HTML does not define either: only feedparser's guess may read it.
    has_unknown_entities: bool


def repair_references(text: str) -> Repair:
    """`text` with every `&` that XML would refuse made into what the feed meant."""
    if "&" not in text:
        return Repair(text, (), has_unknown_entities=False)
    found: set[str] = set()
    unknown = False

    def repair(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(1):
            return match.group(0)
        hexadecimal, decimal, name = match.group(2), match.group(3), match.group(4)
        if hexadecimal or decimal:
            digits = hexadecimal or decimal
            codepoint = int(digits, 16 if hexadecimal else 10) \
                if len(digits) <= _MAX_DIGITS else -1
            if _is_control(codepoint):
                found.add("references to control characters dropped")
                return ""
            if not _is_xml_char(codepoint):
                found.add("references to no character read as U+FFFD")
                return REPLACEMENT
            return match.group(0)
        if name is None:
            found.add("unescaped '&' read as text")
            return "&amp;"
        if name in _XML_ENTITIES:
            return match.group(0)
        codepoint = name2codepoint.get(name, -1)
        if codepoint < 0:
            unknown = True
            return match.group(0)
        found.add("HTML entities are not defined in XML; read them as HTML does")
        return f"&#{codepoint};"

    repaired = _AMPERSAND_OR_SKIPPED.sub(repair, text)
    # The entities' words first: they are the most common repair, and what admins know.
    repairs = tuple(sorted(found, key=lambda words: not words.startswith("HTML")))
    return Repair(repaired, repairs, has_unknown_entities=unknown)


def _is_control(codepoint: int) -> bool:
    return 0 <= codepoint < 0x20 and codepoint not in (0x9, 0xA, 0xD)


def _is_xml_char(codepoint: int) -> bool:
    """XML 1.0 §2.2 `Char`, less the C0 controls `_is_control` takes first."""
    return (0x20 <= codepoint <= 0xD7FF or 0xE000 <= codepoint <= 0xFFFD
            or 0x10000 <= codepoint <= 0x10FFFF or codepoint in (0x9, 0xA, 0xD))
