"""The ingest pipeline, one module per step:

    fetch(snapshot) | parse | normalise | clean | classify | store(update)

`records` holds the small immutable records passed between steps; `errors` the one
hierarchy of ingest failures; `schedule` decides when to poll next, from `freshness`
(what the publisher asked) and the feed's history; `locks` keeps one poll per source.
Only `fetch` touches the network and only `store` the database; every other step is a
pure function.
"""
