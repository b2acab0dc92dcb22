"""The words SQLite's full-text index reads of an article body: its text, not its markup.

The body is sanitised HTML (workers/ingest/cleaning/sanitise.py), and FTS5 has no tag
stripper: indexed as it is, every link's `rel="noopener noreferrer nofollow"`, every
image's `wp-content/uploads/…` URL and every `&amp;` made a word, so a search for
"content" or "uploads" found every article that links or shows a picture. The index's
triggers and its content view (migration 0014_search_body_text) call this function,
which each SQLite connection of Hopper's engines has (models/db.py).

Frozen: FTS5 removes a row's words by tokenising the values it is given again, so the
function must give, for the same body, exactly what it gave when the row was indexed.
A change means a new function under a new name and a migration that rebuilds the index.
"""

from __future__ import annotations

import html
import re
from typing import Any

SQL_FUNCTION = "hopper_body_text_v1"

# Sanitised HTML escapes `<` and `>` in text and quotes its attributes (nh3's
# serialisation), so each `<…>` is a tag. A tag becomes a space: `a<br>b` is two words.
_TAG = re.compile(r"<[^>]*>")


def body_text_v1(markup: Any) -> str:
    """Tags out, entities decoded. Total: never raises (it runs inside SQLite triggers,
    where an exception would fail the write)."""
    if not isinstance(markup, str) or not markup:
        return ""
    return html.unescape(_TAG.sub(" ", markup))


def register(dbapi_connection: Any) -> None:
    """Make the function known to one SQLite connection."""
    dbapi_connection.create_function(SQL_FUNCTION, 1, body_text_v1, deterministic=True)
