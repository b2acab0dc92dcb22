"""MathML in article bodies, read as text: `<math>` is no allowed tag (its foreign-content
parsing is where HTML sanitisers are fooled), and dropping it with its content, as the
policy does for svg, left sentences with holes ("it starts at  bytes after the start").

Runs before nh3, like the rest of sanitise.py's pre-pass: what it writes is sanitised
again, so hostile markup can fool it without harm.
"""

from __future__ import annotations

import html
import re

from lxml import etree

# Start and end tags, paired in one pass: a lazy "<math.*?</math>" would scan to the end of
# the body again for every unclosed start tag (quadratic on a hostile feed).
_MATH_TAG = re.compile(r"<(/?)math\b[^>]*>", re.IGNORECASE)
# Math a page already shows another way, hidden for screen readers' sake: KaTeX's MathML
# copy beside its HTML rendering, Wikipedia's beside its fallback image.
_HIDDEN_WRAPPER = re.compile(r"katex-mathml|mwe-math-mathml|display\s*:\s*none", re.IGNORECASE)
_LAST_TAG = re.compile(r"<[a-z][^<>]*>\s*$", re.IGNORECASE)
_NOT_SHOWN = frozenset({"annotation", "annotation-xml", "none", "mprescripts"})


def math_as_text(markup: str) -> str:
    """`markup` with each visible `<math>` element replaced by its presentation as text:
    identifiers, numbers and operators in order, scripts as <sub>/<sup>, fractions and
    roots spelled out, TeX annotations left out."""
    if "<math" not in markup and "<MATH" not in markup:
        return markup

    pieces: list[str] = []
    done = 0            # markup before this is in pieces
    start = None        # the open <math>'s position
    for tag in _MATH_TAG.finditer(markup):
        if not tag.group(1):
            start = tag.start() if start is None else start
        elif start is not None:
            pieces += [markup[done:start], _as_text(markup, start, tag.end())]
            done, start = tag.end(), None
    return "".join([*pieces, markup[done:]])


def _as_text(markup: str, start: int, end: int) -> str:
    before = _LAST_TAG.search(markup, max(0, start - 300), start)
    if before is not None and _HIDDEN_WRAPPER.search(before.group()):
        return markup[start:end]            # nh3 drops it; the page shows it otherwise
    return f"<span>{_presentation(markup[start:end])}</span>"


_NAMED_REFERENCE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_REFERENCES = frozenset({"lt", "gt", "amp", "quot", "apos"})


def _with_characters(math: str) -> str:
    """HTML's named references (`&times;`, `&InvisibleTimes;`), which XML does not know,
    as the characters they name."""
    return _NAMED_REFERENCE.sub(lambda match: match.group() if match.group(1) in _XML_REFERENCES
                                else html.escape(html.unescape(match.group()), quote=False),
                                math)


def _presentation(math: str) -> str:
    try:
        root = etree.fromstring(_with_characters(math), etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, recover=True))
    except etree.XMLSyntaxError:
        root = None
    if root is not None:
        try:
            return _as_html(root).strip()
        except RecursionError:              # nesting no formula has
            pass
    return html.escape(html.unescape(re.sub(r"<[^>]*>", "", math)), quote=False)


def _as_html(element: etree._Element) -> str:
    name = etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""
    if name in _NOT_SHOWN:
        return ""
    children = [child for child in element if isinstance(child.tag, str)
                and etree.QName(child).localname.lower() not in _NOT_SHOWN]
    parts = [_as_html(child) for child in children]
    if name in {"msup", "msub"} and len(parts) == 2:
        tag = name[1:]
        return f"{parts[0]}<{tag}>{parts[1]}</{tag}>"
    if name == "msubsup" and len(parts) == 3:
        return f"{parts[0]}<sub>{parts[1]}</sub><sup>{parts[2]}</sup>"
    if name == "mfrac" and len(parts) == 2:
        return f"{_grouped(children[0], parts[0])}/{_grouped(children[1], parts[1])}"
    if name == "msqrt":
        return f"√({''.join(parts)})"
    if name == "mroot" and len(parts) == 2:
        return f"<sup>{parts[1]}</sup>√({parts[0]})"
    text = html.escape(element.text or "", quote=False) if not children else ""
    if children:
        text = html.escape(element.text or "", quote=False).strip() + "".join(parts)
    return text


def _grouped(element: etree._Element, shown: str) -> str:
    """A fraction's part, in parentheses when it is more than one token."""
    is_token = etree.QName(element).localname.lower() in {"mi", "mn", "mo", "mtext"}
    return shown if is_token else f"({shown})"
