"""Inside the clean step: HTML made safe and media recognised. Pure; the parsers and the
full-text extractor use the same functions, so every body passes nh3 last.

- `sanitise`: nh3 allow-list, absolute URLs, text out of HTML
- `mathml`: formulas read as text before nh3 (MathML is no allowed tag)
- `media`: video hosts, trackers, the lead image
- `credits`: the outlet an aggregator's item names, in its byline and not its title
"""
