"""The ingest pipeline: one poll of one source (`pipeline.ingest_source`), the same for
the Celery task and `hopper ingest`:

    lock | begin_poll (db) | fetch | parse | clean | classify | store_update (db)

Where things are:
- `pipeline`: the recipe above (and `ingest_delivery`, a body a WebSub hub pushed);
- `records` (the immutable records the steps pass each other) and `errors` (the one
  hierarchy of ingest failures): the vocabulary every part shares;
- `steps/`: one module per step (`fetch` is the only one on the network, `store` the only
  one on the database), `locks`, and the pure rules the store step writes down:
  `schedule` (when to poll next) and `bookkeeping` (failures, backoff, quarantine);
- `parsing/`: the parse step's internals (encoding, the lxml fast path, the feedparser
  fallback, JSON Feed, one model of an entry, normalising);
- `cleaning/`: the clean step's internals (`sanitise`, nh3 always last; `media`);
- `push/`: the WebSub hub a feed names; `stories/`: which story an article joins;
- `fulltext/`: the article page's main text for summary-only feeds;
- `cli/`: what `hopper ingest` adds (batches, one process per core);
- `discover`: the feed a web page advertises, when a source is added.
"""
