"""WebSub, the ingest side: which hub a feed names, read while parsing. The subscriptions and
callbacks live in `workers/websub/`; a body a hub pushes is stored by
`workers.ingest.pipeline.ingest_delivery`, the same road as a poll.

- `hubs`: the hub and topic URL a feed advertises
"""
