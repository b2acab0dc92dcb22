"""Celery workers: the app and its configuration (`celery_app`), thin tasks (`tasks`)
and the ingest pipeline (`ingest/`). `celery -A workers worker` finds `app` here."""

from workers.celery_app import app

__all__ = ["app"]
