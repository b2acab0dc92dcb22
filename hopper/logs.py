"""Logging for every Hopper process: one line per record, JSON when `HOPPER_LOG_JSON=1`,
each carrying the context it was logged in (task id, task name, source id).

Context lives in a contextvar, so it follows the code that set it and never leaks into
another task or request: `bind(task_id=…, source_id=…)` returns a token for `unbind`.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

CONTEXT_FIELDS = ("task_id", "task_name", "source_id")

_context: ContextVar[dict[str, Any]] = ContextVar("hopper_log_context", default={})  # noqa: B039


def bind(**fields: Any) -> Token[dict[str, Any]]:
    return _context.set({**_context.get(), **fields})


def unbind(token: Token[dict[str, Any]]) -> None:
    _context.reset(token)


class ContextFilter(logging.Filter):
    """Puts the bound context on every record (None where unbound)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for name in CONTEXT_FIELDS:
            setattr(record, name, context.get(name))
        record.context = " ".join(f"{name}={context[name]}" for name in CONTEXT_FIELDS
                                  if context.get(name) is not None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, context."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


TEXT_FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] %(name)s: %(message)s %(context)s"


def make_handler(*, is_json: bool) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if is_json else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(*, is_json: bool, level: str | int = logging.INFO) -> None:
    """Replace the root logger's handlers with one that speaks our format."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(make_handler(is_json=is_json))
    root.setLevel(level)
