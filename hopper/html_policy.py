"""The article HTML allow-list: which tags and attributes a stored article body may hold.

One policy for both places that run nh3 over article bodies: ingest's sanitiser
(workers/ingest/cleaning/sanitise.py), and the site's render-time image rewrite
(web/media/links.py), which must never let through more than ingest did.
"""

ARTICLE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture",
    "pre", "q", "s", "small", "source", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "video", "audio",
})
# Removed with everything inside: code, styling, forms and things that only make sense
# with scripts. (A form's text is a newsletter box, not the article.)
CLEAN_CONTENT_TAGS = frozenset({
    "script", "style", "template", "noscript", "form", "button", "select", "textarea",
    "object", "embed", "applet", "svg", "math", "title", "head",
})
ARTICLE_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "img": {"src", "srcset", "sizes", "alt", "title", "width", "height"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "iframe": {"src", "width", "height", "allowfullscreen", "title"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
