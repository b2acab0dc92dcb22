"""The ingest pipeline, one module per step:

    fetch(snapshot) | parse | normalise | clean | classify | store(update)

`records` holds the small immutable records passed between steps; `errors` the one
hierarchy of ingest failures. Only `fetch` touches the network and only `store` the
database; every other step is a pure function. Parsing also reads the WebSub hub and
topic a feed names (`hubs`); `pipeline.ingest_delivery` stores a pushed body the same way.
"""
