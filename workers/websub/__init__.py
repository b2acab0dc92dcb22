"""WebSub push (W3C WebSub): ask hubs to push the feeds they serve, and store what they
push through the ingest pipeline.

    hub.py        — the subscription request to a hub (the only network I/O here)
    subscribe.py  — the sweep: which subscriptions to request or renew now, and asking
    tasks.py      — Celery tasks: the sweep (beat, maintenance queue) and a delivery

A poll discovers hubs (workers/ingest/push/hubs.py) and store.py records them; the web
answers the hub's verification and takes its deliveries (web/websub), handing each
delivered body to `workers.websub.store_delivery` by name.
"""
