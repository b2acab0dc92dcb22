"""Per-host request slots on the run's real Redis: at most `limit` holders at once across
clients and processes, a crashed holder's slot lapses, a bounded wait, fail-open."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest
import redis

from hopper.host_slots import SLOTS_PREFIX, HostBusy, HostSlots, host_slot
from hopper.settings import Settings


def test_no_more_than_limit_holders_at_once_across_clients(
        redis_client: redis.Redis, settings: Settings) -> None:
    holding = 0
    most = 0
    guard = threading.Lock()

    def fetch() -> None:
        nonlocal holding, most
        client = redis.Redis.from_url(settings.redis_url)   # one client per "worker"
        with host_slot(client, "news.example", limit=3, wait_s=20):
            with guard:
                holding += 1
                most = max(most, holding)
            time.sleep(0.05)
            with guard:
                holding -= 1

    threads = [threading.Thread(target=fetch) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 3
    assert redis_client.zcard(f"{SLOTS_PREFIX}news.example") == 0


def test_hosts_do_not_share_slots(redis_client: redis.Redis) -> None:
    with host_slot(redis_client, "a.example", limit=1):
        with host_slot(redis_client, "b.example", limit=1, wait_s=0):
            pass
        with pytest.raises(HostBusy, match="A.example"), \
                host_slot(redis_client, "A.example", limit=1, wait_s=0.2):
            pass


def test_a_waiting_caller_gets_the_slot_when_it_is_released(
        redis_client: redis.Redis) -> None:
    slots = HostSlots(redis_client, limit=1, wait_s=5)
    released = threading.Event()

    def hold_briefly() -> None:
        with slots.hold("slow.example"):
            time.sleep(0.3)
        released.set()

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    time.sleep(0.1)
    started = time.monotonic()
    with slots.hold("slow.example"):
        assert released.is_set()
    assert 0.1 < time.monotonic() - started < 2
    holder.join()


def _take_a_slot_and_crash(url: str) -> None:
    with host_slot(redis.Redis.from_url(url), "crash.example", limit=1, hold_s=1.0):
        os._exit(0)                               # never releases, like kill -9


def test_a_crashed_holders_slot_lapses_after_its_hold_time(
        redis_client: redis.Redis, settings: Settings) -> None:
    url = settings.redis_url
    child = multiprocessing.get_context("fork").Process(target=_take_a_slot_and_crash,
                                                        args=(url,))
    child.start()
    child.join()
    assert redis_client.zcard(f"{SLOTS_PREFIX}crash.example") == 1
    with pytest.raises(HostBusy), host_slot(redis_client, "crash.example", limit=1, wait_s=0.2):
        pass
    started = time.monotonic()
    with host_slot(redis_client, "crash.example", limit=1, wait_s=5):
        assert time.monotonic() - started < 2
        # The key itself expires too: a host fetched once leaves nothing for long.
        assert 0 < redis_client.pttl(f"{SLOTS_PREFIX}crash.example") <= 60_000


def test_an_unreachable_redis_lets_the_request_go_ahead() -> None:
    down = redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.5,
                       socket_timeout=0.5)
    ran = False
    with host_slot(down, "news.example", limit=1, wait_s=1):
        ran = True
    assert ran


def test_a_server_that_lost_the_script_still_counts_the_slots(
        redis_client: redis.Redis) -> None:
    """Slots are taken by EVALSHA of the script's hash; a server that does not hold the
    script (restarted, or flushed) gets it sent whole, and the limit still holds."""
    redis_client.script_flush()
    with host_slot(redis_client, "flushed.example", limit=1, wait_s=0.2):
        assert redis_client.zcard(SLOTS_PREFIX + "flushed.example") == 1
        with pytest.raises(HostBusy), \
                host_slot(redis_client, "flushed.example", limit=1, wait_s=0.2):
            pass
    assert redis_client.zcard(SLOTS_PREFIX + "flushed.example") == 0
