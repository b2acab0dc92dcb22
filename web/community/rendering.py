"""Comment bodies: limited Markdown, rendered without raw HTML, then sanitised by nh3.

markdown-it runs with `html` off, so typed tags come out as text; nh3 then keeps only a
tiny allow-list, whatever the Markdown produced. nh3 always runs last.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "em", "strong", "a", "code", "blockquote", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}     # nh3 adds rel itself (link_rel below)
LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_comment(body: str) -> str:
    return nh3.clean(_markdown.render(body), tags=ALLOWED_TAGS,
                     attributes=ALLOWED_ATTRIBUTES, link_rel=LINK_REL,
                     url_schemes=URL_SCHEMES, strip_comments=True)
