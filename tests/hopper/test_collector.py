"""The collector's settings for polling processes (hopper/collector.py)."""

from __future__ import annotations

import gc
import multiprocessing
from multiprocessing.connection import Connection

import pytest

from hopper.collector import YOUNG_THRESHOLD, collector_tuned, tune_collector


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



def test_a_tuned_block_leaves_the_collector_as_it_found_it() -> None:
    """`hopper ingest` in one process tunes the collector only while it polls: the
    caller's process (a test, a benchmark) gets its thresholds back, and what was frozen
    is collectable again."""
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    with collector_tuned():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_freeze_count() > frozen + 10_000
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_ingest_in_one_process_polls_with_the_collector_tuned(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The single-process branch of `hopper ingest` (a small instance, one core) polls
    tuned, as the forked children do."""
    from web.cli import ingest

    seen: list[tuple[int, int]] = []
    threshold = gc.get_threshold()

    def record(ids, **_):  # type: ignore[no-untyped-def]
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        return []

    monkeypatch.setattr(ingest, "ingest_many", record)
    monkeypatch.setattr(ingest.FeedClient, "from_settings",
                        classmethod(lambda cls, *args, **kwargs: _Closable()))
    ingest.run_polls([1], database=None, redis_client=None,  # type: ignore[arg-type]
                     settings=_SettingsStub(), threads=1)
    assert seen and seen[0][0] == YOUNG_THRESHOLD and seen[0][1] > 10_000
    assert gc.get_threshold() == threshold


class _Closable:
    """Stands for the HTTP client: this test polls nothing."""

    def close(self) -> None:
        pass


class _SettingsStub:
    limits = None
