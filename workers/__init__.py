"""Celery workers: the app and its configuration (`celery_app`), thin tasks (`tasks`)
and the ingest pipeline (`ingest/`). `celery -A workers worker` finds `app` here.

The app is built on first use of `workers.app`: `hopper` commands import ingest steps
from this package without configuring Celery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workers.celery_app import app

__all__ = ["app"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from workers.celery_app import app

        return app
    raise AttributeError(f"module 'workers' has no attribute {name!r}")
