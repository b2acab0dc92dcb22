"""gunicorn settings (`gunicorn --config python:web.gunicorn_conf`)."""

import multiprocessing
import os

bind = os.environ.get("HOPPER_BIND", "127.0.0.1:" + os.environ.get("PORT", "5000"))
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
timeout = int(os.environ.get("HOPPER_WEB_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = "-"
errorlog = "-"
