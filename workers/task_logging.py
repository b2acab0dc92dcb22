"""Worker and beat logging: our format instead of Celery's (JSON when HOPPER_LOG_JSON=1),
and every record logged while a task runs carries its task id, name and source id."""

from __future__ import annotations

import inspect
from contextvars import Token
from typing import Any

from celery import Task
from celery.signals import setup_logging, task_postrun, task_prerun

from hopper import logs
from hopper.settings import load_settings

_tokens: dict[str, Token[dict[str, Any]]] = {}


def _configure(loglevel: str | int | None = None, **_: Any) -> None:
    """Connected (`connect_signals`), this replaces Celery's own logging setup in worker
    and beat."""
    logs.configure_logging(is_json=load_settings().log_json, level=loglevel or "INFO")


def source_id_of(task: Task, args: tuple[Any, ...] | None,
                 kwargs: dict[str, Any] | None) -> Any:
    """The source a task works on: its `source_id` argument, by keyword or position."""
    if kwargs and "source_id" in kwargs:
        return kwargs["source_id"]
    if not args:
        return None
    parameters = list(inspect.signature(task.run).parameters)
    if "source_id" in parameters:
        index = parameters.index("source_id")
        if index < len(args):
            return args[index]
    return None


def _bind_task(task_id: str | None = None, task: Task | None = None,
               args: tuple[Any, ...] | None = None, kwargs: dict[str, Any] | None = None,
               **_: Any) -> None:
    if task_id is None or task is None:
        return
    _tokens[task_id] = logs.bind(task_id=task_id, task_name=task.name,
                                           source_id=source_id_of(task, args, kwargs))


def _unbind_task(task_id: str | None = None, **_: Any) -> None:
    token = _tokens.pop(task_id or "", None)
    if token is not None:
        try:
            logs.unbind(token)
        except ValueError:
            # Bound in another context (a thread pool's): reset by hand instead.
            logs.bind(task_id=None, task_name=None, source_id=None)


def connect_signals() -> None:
    setup_logging.connect(_configure)
    task_prerun.connect(_bind_task)
    task_postrun.connect(_unbind_task)
