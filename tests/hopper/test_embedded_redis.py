"""The embedded Redis keeps what it holds across a restart (README: `make run` again
reuses ./instance), and never evicts a key (a queue would vanish)."""

from __future__ import annotations

from pathlib import Path

import redis

from hopper.embedded_redis import EmbeddedRedis


def test_the_embedded_redis_keeps_its_data_across_a_restart(tmp_path: Path) -> None:
    socket = tmp_path / "redis.sock"
    server = EmbeddedRedis(tmp_path, socket)
    server.start()
    try:
        client = redis.Redis(unix_socket_path=str(socket))
        assert client.config_get("save")["save"] == "60 1"
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        client.rpush("polls", "queued poll")
        client.close()
    finally:
        server.stop()          # a clean shutdown writes the dump the save rule asks for
    assert (tmp_path / "redis.rdb").exists()

    again = EmbeddedRedis(tmp_path, socket)
    again.start()
    try:
        client = redis.Redis(unix_socket_path=str(socket))
        assert client.lrange("polls", 0, -1) == [b"queued poll"]
        client.close()
    finally:
        again.stop()
