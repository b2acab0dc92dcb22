"""Numbers in the headers of publishers' answers, read strictly.

`str.isdigit()` is no test for "int() can read this": it is true for '²' (one Latin-1
byte on the wire, which int() refuses) and for other scripts' digits, and int() refuses
strings of more than 4,300 digits. Every client that reads a number a publisher sent
(the feed fetcher, the media proxy) goes through here, so odd bytes end in the client's
own clean failure, never in a ValueError.
"""

from __future__ import annotations

# More digits than any real length or delay (10**18 bytes is an exabyte).
MAX_DIGITS = 18


def header_number(value: str | None) -> int | None:
    """A header's value as a non-negative integer: ASCII digits only, at most MAX_DIGITS
    of them (surrounding whitespace allowed); None for anything else, or no value."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)


def declared_length(value: str | None) -> int | None:
    """A Content-Length: None when there is none; ValueError when it is no number, which
    makes the answer unusable (RFC 9112 §6.3)."""
    if value is None or not value.strip():
        return None
    length = header_number(value)
    if length is None:
        raise ValueError(f"invalid Content-Length {value[:40]!r}")
    return length
