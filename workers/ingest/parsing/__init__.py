"""Inside the parse step: how feed bytes become one ParsedFeed, the same for every format. Pure
functions, no I/O; `workers.ingest.steps.parse` is the only caller a reader needs to start
from.

- `charset`: which encoding (BOM, HTTP, XML declaration, UTF-8)
- `references`: bare `&`s, HTML entities and references to no character, repaired
- `fastxml`: the lxml fast path for well-formed RSS and Atom
- `lenient`: the feedparser fallback for everything else
- `jsonfeed`: JSON Feed 1.0 and 1.1
- `bodies`: which text is the summary and which the content
- `normalise`: entry keys, URLs, dates, names, tags: the same for every parser
- `zones`: the time-zone abbreviations dates are written with, and their offsets
"""
