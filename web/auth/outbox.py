"""E-mails sent after the response, so a request takes as long whether or not it mails.

The reset and registration forms must answer alike for known and unknown addresses
(timing included); talking to an SMTP server inside the request would give the answer away.
A small thread pool sends instead; a failure is logged, and the reader can ask again.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from hopper.settings import Settings
from web.mail import send_mail

log = logging.getLogger(__name__)
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hopper-mail")
_pending: set[Future[None]] = set()
_pending_lock = threading.Lock()


def queue_mail(settings: Settings, *, to: str, subject: str, body: str) -> Future[None]:
    future = _POOL.submit(_send, settings, to, subject, body)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(_forget)
    return future


def wait_until_sent(timeout_s: float) -> bool:
    """Wait for every e-mail queued so far to be handed to the mail server (or to fail);
    False if some are still on their way after `timeout_s`."""
    with _pending_lock:
        queued = list(_pending)
    return not wait(queued, timeout=timeout_s).not_done


def _forget(future: Future[None]) -> None:
    with _pending_lock:
        _pending.discard(future)


def _send(settings: Settings, to: str, subject: str, body: str) -> None:
    try:
        send_mail(settings, to=to, subject=subject, body=body)
    except Exception:   # the worker thread is the boundary: record it, never crash the pool
        log.exception("could not send %r to %s", subject, to)
