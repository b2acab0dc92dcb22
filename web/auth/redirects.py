"""`next=` targets: only paths on this site (docs/architecture.md, "Accounts and the web").

Browsers treat `//host`, `\\host`, `/\\host` and `https:host` as other sites, ignore tabs
and newlines inside URLs, and some proxies decode percent-escapes once more, so a target
is accepted only when it and its fully decoded form are both plain absolute paths
without dot segments.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_DECODE_ROUNDS = 4


def is_safe_path(target: str | None) -> bool:
    if not target or len(target) > 2000:
        return False
    decoded = target
    for _ in range(MAX_DECODE_ROUNDS):
        decoded = unquote(decoded)
    return all(_is_plain_path(candidate) for candidate in (target, decoded))


def _is_plain_path(candidate: str) -> bool:
    if "\\" in candidate or any(ord(char) < 0x20 or ord(char) == 0x7F for char in candidate):
        return False
    if not candidate.startswith("/") or candidate.startswith("//"):
        return False
    parts = urlsplit(candidate)
    # No dot segments: a browser resolves "/.//host" to "//host", another site's address
    # in any later redirect to the path; no page of the site needs one.
    return not parts.scheme and not parts.netloc and not _DOT_SEGMENTS & set(
        parts.path.split("/"))


_DOT_SEGMENTS = frozenset({".", ".."})


def safe_next(target: str | None, default: str) -> str:
    return target if target is not None and is_safe_path(target) else default
