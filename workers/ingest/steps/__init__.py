"""The pipeline's steps, in the order `workers/ingest/pipeline.py` calls them, and the pure
decisions the store step applies. Only `fetch` touches the network and only `store` the
database; `parse`, `clean` and `classify` are pure functions over the records of
`workers.ingest.records`. `locks` keeps one poll per source (Redis); `schedule` (when to
poll next) and `bookkeeping` (what a failure, a rate limit or a quarantine does to a source)
are pure rules that `store` writes down.

- `locks`: one poll per source at a time (Redis)
- `fetch`: the network: conditional GET, every defence a feed fetcher needs
- `parse`: bytes in, one ParsedFeed out, whatever the format
- `clean`: parsed entries in, articles ready to store out
- `classify`: section and tags
- `store`: the database: two short transactions per poll
- `schedule`: when to poll next (pure)
- `bookkeeping`: what an outcome does to a source (pure)
"""
