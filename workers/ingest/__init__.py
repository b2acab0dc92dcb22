"""The ingest pipeline: one poll of one source (`pipeline.ingest_source`), the same for
the Celery task and `hopper ingest`:

    lock | begin_poll (db) | fetch | parse | clean | classify | store_update (db)

The steps, one module each: `fetch` (the only one on the network), `parse`, `clean`,
`classify` and `store` (the only one on the database). They pass each other the small
immutable records of `records` and fail with the one hierarchy of `errors`.

Helpers, pure functions the steps call:
- inside parse: `charset` (which encoding), `fastxml` (the lxml fast path), `lenient`
  (the feedparser fallback), `jsonfeed`, `bodies` (one model for every format) and
  `normalise` (entry keys, URLs, dates, names, tags: the same for every parser);
- inside clean: `sanitise` (nh3, always last on HTML) and `media` (video hosts, trackers,
  the lead image);
- `schedule`: when to poll next (intervals, backoff, Retry-After), from `freshness`
  (what the publisher asked: Cache-Control, Expires, <ttl>, sy:updatePeriod).

WebSub: parsing also reads the hub and topic a feed names (`hubs`), and
`pipeline.ingest_delivery` stores a body a hub pushed the same way, without a fetch.
Stories: `story` decides which story a new article joins (pure), `store_stories` writes it
inside the store's transaction. Full text: `pages` (robots.txt and the guarded page
fetch), `extract` (trafilatura, pure) and `fulltext` (the task's steps).

Around the pipeline: `locks` (one poll per source at a time, in Redis; a release that
failed in a Redis outage is retried), `discover` (the
feed a web page advertises, when a source is added), and for `hopper ingest`: `batch`
(many polls per process, fixed costs paid once) and `fanout` (one process per core).
"""
