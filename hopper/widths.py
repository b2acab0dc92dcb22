"""How long a stored URL or name may be: the database columns (models/), the forms (web/)
and the ingest steps (workers/ingest/, which cut what a feed sends) all read these, so a
value that passes one layer fits the next. And how small a lead image may be: the ingest
steps (a size the feed declares) and the image check (the size measured) read it."""

from __future__ import annotations

URL_MAX = 2048            # any URL we store: a feed, a site, an article, an image, a video
NAME_MAX = 300            # a source's name, an article's author
SECTION_NAME_MAX = 120    # a section's name
# What a lead image must at least measure to be worth showing on a card; smaller ones are
# icons, spacers, counters, avatars and logos.
MIN_LEAD_WIDTH = 120
MIN_LEAD_HEIGHT = 80
