"""What `hopper ingest` (web/cli/ingest.py) runs: the same pipeline with the per-poll fixed
costs paid once per batch (`batch`), on every core (`fanout`).

- `batch`: many polls per process, one transaction per batch
- `fanout`: one forked process per core
"""
