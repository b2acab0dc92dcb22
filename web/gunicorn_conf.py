"""gunicorn settings (`gunicorn --config python:web.gunicorn_conf "web:create_app()"`).

Environment (docs/operations.md):
  HOPPER_BIND / PORT        where to listen (default 127.0.0.1:5000; behind a proxy)
  WEB_CONCURRENCY           worker processes (default 2 × CPUs + 1, at most 8)
  HOPPER_WEB_TIMEOUT        seconds before a stuck worker is killed (default 30)
  HOPPER_MAX_REQUESTS       recycle a worker after about this many requests (default 2000)
  FORWARDED_ALLOW_IPS       proxies trusted for X-Forwarded-* (default 127.0.0.1)
  PROMETHEUS_MULTIPROC_DIR  where workers share metrics (default <instance>/prometheus)

This module must not import prometheus_client, Flask or the app: the metrics directory
has to be in the environment before any worker process imports prometheus_client.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

_instance = Path(os.environ.get("HOPPER_INSTANCE") or "instance").resolve()
_metrics_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                          str(_instance / "prometheus")))

bind = os.environ.get("HOPPER_BIND") or "127.0.0.1:" + os.environ.get("PORT", "5000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 8))
# Requests are short and the database does the waiting: plain sync workers.
worker_class = "sync"
timeout = int(os.environ.get("HOPPER_WEB_TIMEOUT") or 30)
graceful_timeout = 10
keepalive = 5
# Recycle workers now and then (a slow leak never grows unbounded); the jitter keeps
# them from all restarting at once.
max_requests = int(os.environ.get("HOPPER_MAX_REQUESTS") or 2000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"
proxy_allow_ips = forwarded_allow_ips
accesslog = "-"
errorlog = "-"
# Combined log format plus the time taken: %(M)s milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

if os.environ.get("HOPPER_LOG_JSON", "").strip().lower() in {"1", "true", "yes", "on"}:
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "hopper.logs.ContextFilter"}},
        "formatters": {"json": {"()": "hopper.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "filters": ["context"], "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        },
    }


def on_starting(server: Any) -> None:
    """Start with an empty metrics directory: files of dead processes would count twice."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(_metrics_dir))
