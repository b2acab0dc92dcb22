"""Integers from URLs, bounded before they reach the database (docs/architecture.md:
bad input gets a clear 4xx, never a 500).

Path ids (`<int:…>` in every route) go through `BoundedIntegerConverter`, so an id that
no id column can hold (every table's is a 32-bit INTEGER on PostgreSQL, which refuses a
larger value with an error) matches no route: 404, with the normal page (JSON under
/api/). Ids posted in forms are bounded the same way (`MAX_ROW_ID`).
`?page=` goes through `page_arg`: no listing goes deeper than MAX_LISTED_ITEMS, because
an OFFSET makes the database read every row it skips, so a page beyond that is a 404
(a 400 in the JSON API) before the listing is read.

Text from a URL or a form must not carry NUL: PostgreSQL refuses it in every text
parameter (a 500 on any query that names it), and no real value holds one. Such a
request is answered 400 before any view runs (`refuse_nul_characters`), except in the
query strings of the areas that vet their own: the JSON API names the bad parameter, and
search reads its query leniently (a NUL is dropped there).
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map

# Every table's id is a 32-bit INTEGER on PostgreSQL: a larger id is no row, answered as
# such without asking the database (it would refuse it: "integer out of range").
MAX_ROW_ID = 2**31 - 1
# The deepest item any listing shows (page × per-page): far beyond what a reader pages
# through, and few enough rows that skipping them stays cheap however often it is asked.
MAX_LISTED_ITEMS = 10_000
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
OWN_QUERY_CHECKS = frozenset({"api", "search"})   # blueprints that vet their query strings


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's `int` converter with a default maximum that fits the database."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def last_page(per_page: int) -> int:
    """The deepest page of `per_page` items that stays within MAX_LISTED_ITEMS."""
    return max(1, MAX_LISTED_ITEMS // per_page)


def page_arg(per_page: int, name: str = "page") -> int:
    """The 1-based page number in the query string; 404 when it is not one we could
    have linked to (zero, negative, not a number, or beyond `last_page`)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return 1
    maximum = last_page(per_page)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)):
        abort(404)
    number = int(raw)
    if not 1 <= number <= maximum:
        abort(404)
    return number


def refuse_nul_characters() -> None:
    """400 for a NUL in the path, the query string or a form field (a `before_request`
    hook of the whole site; a view's own body, a WebSub delivery, is not a form). A path
    no route matches is left to its 404."""
    if request.routing_exception is not None:
        return
    has_nul = "\x00" in request.path or (
        request.blueprint not in OWN_QUERY_CHECKS and _holds_nul(request.args)) or (
        request.mimetype in FORM_TYPES and _holds_nul(request.form))
    if has_nul:
        abort(400, "The request holds a NUL character.")


def _holds_nul(fields: MultiDict[str, str]) -> bool:
    return any("\x00" in name or "\x00" in value for name, value in fields.items(multi=True))
