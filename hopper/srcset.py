"""The `srcset` attribute read as browsers read it (HTML Living Standard, "parse a srcset
attribute", §4.8.4.3.10), for the two places that rewrite its URLs: ingest's sanitiser
(absolute URLs) and the site's image rewrite (the media proxy).

A candidate's URL runs to the next whitespace, so it may hold commas (Cloudinary's
`w_300,h_200`, imgix, a `data:` URL); a comma ends a candidate only after its URL and
its descriptors. Splitting on every comma cuts such URLs in two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_WHITESPACE = " \t\n\f\r"


@dataclass(frozen=True, slots=True)
class Candidate:
    url: str
    descriptors: tuple[str, ...]     # "300w", "2x", as written; usually one or none


def srcset_candidates(value: str) -> list[Candidate]:
    """Every image candidate of a srcset, in order (the standard's tokenizer; descriptors
    are kept as written, not validated)."""
    candidates: list[Candidate] = []
    position, end = 0, len(value)
    while True:
        while position < end and (value[position] in _WHITESPACE or value[position] == ","):
            position += 1
        if position >= end:
            return candidates
        start = position
        while position < end and value[position] not in _WHITESPACE:
            position += 1
        url = value[start:position]
        if url.endswith(","):           # "a.jpg, b.jpg 2x": no descriptors for a.jpg
            candidates.append(Candidate(url.rstrip(","), ()))
            continue
        descriptors, position = _descriptors(value, position)
        candidates.append(Candidate(url, descriptors))


def _descriptors(value: str, position: int) -> tuple[tuple[str, ...], int]:
    """The descriptor tokens from `position` to the comma that ends the candidate (a
    comma inside parentheses does not: the standard's "in parens" state)."""
    tokens: list[str] = []
    current = ""
    in_parens = False
    end = len(value)
    while position < end and value[position] in _WHITESPACE:
        position += 1
    while position < end:
        char = value[position]
        position += 1
        if in_parens:
            current += char
            in_parens = char != ")"
        elif char in _WHITESPACE:
            if current:
                tokens.append(current)
                current = ""
        elif char == ",":
            break
        else:
            current += char
            in_parens = char == "("
    if current:
        tokens.append(current)
    return tuple(tokens), position


def rewrite_srcset(value: str, rewrite_url: Callable[[str], str | None]) -> str:
    """The srcset with each URL rewritten; a candidate whose URL becomes None is dropped
    ("" when none is left)."""
    kept = []
    for candidate in srcset_candidates(value):
        url = rewrite_url(candidate.url)
        if url:
            kept.append(" ".join([url, *candidate.descriptors]))
    return ", ".join(kept)
