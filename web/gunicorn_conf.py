"""gunicorn settings (`gunicorn --config python:web.gunicorn_conf "web:create_app()"`).

Environment (docs/operations.md):
  HOPPER_BIND / PORT        where to listen (default 127.0.0.1:5000; behind a proxy)
  WEB_CONCURRENCY           worker processes (default 2 × CPUs + 1, at most 8)
  HOPPER_WEB_TIMEOUT        seconds before a stuck worker is killed (default 30)
  HOPPER_MAX_REQUESTS       recycle a worker after about this many requests (default 2000)
  FORWARDED_ALLOW_IPS       proxies trusted for X-Forwarded-* (default 127.0.0.1)
  HOPPER_SCRIPT_NAME        a fixed path prefix the site is mounted under (default none)
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

from hopper.logs import TEXT_FORMAT
from hopper.settings import parse_script_name

_instance = Path(os.environ.get("HOPPER_INSTANCE") or "instance").resolve()
_metrics_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                          str(_instance / "prometheus")))

bind = os.environ.get("HOPPER_BIND") or "127.0.0.1:" + os.environ.get("PORT", "5000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 8))
# Requests are short and the database does the waiting: plain sync workers.
worker_class = "sync"
# gunicorn 27's control socket defaults to ~/.gunicorn/gunicorn.ctl, one path for every
# gunicorn of the user (two instances on a machine would take it from each other).
# Hopper uses none of its commands (operations go through signals and `hopper up`).
control_socket_disable = True
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
# The access log leaves out the tokens of reset, verification and share links.
logger_class = "hopper.access_log.RedactingLogger"
# Combined log format plus the time taken: %(M)s milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# Requests never say where the app is mounted: gunicorn would otherwise take SCRIPT_NAME
# and PATH_INFO headers from any forwarded_allow_ips peer, and one request could then
# point every link of a cached page at another host. A fixed prefix is configured
# instead (HOPPER_SCRIPT_NAME → gunicorn reads SCRIPT_NAME from its environment).
forwarder_headers = ""
header_map = "drop"
if parse_script_name(os.environ.get("HOPPER_SCRIPT_NAME")):
    os.environ["SCRIPT_NAME"] = parse_script_name(os.environ.get("HOPPER_SCRIPT_NAME"))

# The app's own records (INFO and up: e-mails when MAIL_URL is unset, warnings) go to
# stderr beside gunicorn's, in text or JSON; without a root handler Python would drop
# everything below WARNING.
_is_json = os.environ.get("HOPPER_LOG_JSON", "").strip().lower() in {"1", "true", "yes", "on"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "hopper.logs.ContextFilter"}},
    "formatters": {
        "app": ({"()": "hopper.logs.JsonFormatter"} if _is_json
                else {"format": TEXT_FORMAT}),
        "generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
                    "datefmt": "[%Y-%m-%d %H:%M:%S %z]"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "app",
                            "filters": ["context"], "stream": "ext://sys.stderr"},
                 "gunicorn": {"class": "logging.StreamHandler",
                              "formatter": "app" if _is_json else "generic",
                              "filters": ["context"], "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["gunicorn"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["gunicorn"], "propagate": False},
        "alembic": {"level": "WARNING"},   # its plugin set-up says nothing an operator needs
    },
}


def on_starting(server: Any) -> None:
    """Start with an empty metrics directory: files of dead processes would count twice."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(_metrics_dir))
