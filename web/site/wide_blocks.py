"""Tables and code blocks in an article body scroll sideways in a box of their own.

A phone is narrower than most data tables and code lines. Wrapping them anywhere breaks
"1,234,567" into two numbers, so each outermost `<table>` and `<pre>` is put in a box that
scrolls instead. A keyboard reader must be able to scroll it too, so the box takes focus
and is a named region (WCAG 2.1.1; axe-core's "scrollable-region-focusable").
"""

from __future__ import annotations

import re

from markupsafe import Markup

# Every tag, its quoted attribute values read whole: the body is sanitised HTML, so text
# holds no "<" (it is escaped) but an attribute value may ("<a title='<pre>'>").
_TAG = re.compile(r"""<(/?)([a-zA-Z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_LABELS = {"table": "Table", "pre": "Code"}


def box_wide_blocks(body: str) -> Markup:
    """`body` with each outermost table and pre wrapped in a focusable scroll box."""
    pieces: list[str] = []
    position = 0
    depth = 0
    for tag in _TAG.finditer(body):
        is_closing, name = tag.group(1) == "/", tag.group(2).lower()
        if name not in _LABELS:
            continue
        if not is_closing:
            if depth == 0:
                pieces.append(body[position:tag.start()])
                pieces.append(f'<div class="scroll-box" role="region" tabindex="0" '
                              f'aria-label="{_LABELS[name]} (scrolls sideways)">')
                position = tag.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                pieces.append(body[position:tag.end()])
                pieces.append("</div>")
                position = tag.end()
    if depth > 0:   # an unclosed block: the box closes where the body ends
        pieces.append(body[position:])
        pieces.append("</div>")
        position = len(body)
    pieces.append(body[position:])
    return Markup("".join(pieces))  # noqa: S704 - html was sanitised by ingest
