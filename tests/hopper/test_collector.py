"""The collector's settings for polling processes (hopper/collector.py)."""

from __future__ import annotations

import gc
import multiprocessing
from multiprocessing.connection import Connection

from hopper.collector import YOUNG_THRESHOLD, tune_collector


def _report_after_tuning(connection: Connection) -> None:
    before = gc.get_freeze_count()
    tune_collector()
    connection.send((before, gc.get_freeze_count(), gc.get_threshold(), gc.isenabled()))


def test_a_tuned_process_keeps_what_it_holds_out_of_the_scans_and_still_collects() -> None:
    """Run in a forked child, as the ingest children and Celery's workers are: the heap it
    inherited is frozen, the youngest generation is collected less often, and the
    collector stays on (cycles are still freed)."""
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=_report_after_tuning,
                                                           args=(child,))
    process.start()
    before, after, threshold, enabled = parent.recv()
    process.join(30)
    assert process.exitcode == 0
    assert after > before + 10_000          # modules, pytest, the app: thousands of objects
    assert threshold[0] == YOUNG_THRESHOLD and threshold[1:] == gc.get_threshold()[1:]
    assert enabled

