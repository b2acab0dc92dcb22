"""Log records carry the task and source they were logged for; JSON on request."""

from __future__ import annotations

import io
import json
import logging

from hopper import logs


def capture(*, is_json: bool) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logs.make_handler(is_json=is_json)
    handler.setStream(stream)
    logger = logging.getLogger(f"test-{is_json}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_json_lines_carry_task_and_source_while_bound_and_not_after() -> None:
    logger, stream = capture(is_json=True)
    token = logs.bind(task_id="t-1", task_name="workers.poll_source", source_id=7)
    logger.info("stored %d entries", 3)
    logs.unbind(token)
    logger.warning("idle")
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first["message"] == "stored 3 entries" and first["level"] == "INFO"
    assert first["task_id"] == "t-1" and first["source_id"] == 7
    assert first["time"].endswith("+00:00")
    assert "task_id" not in second and second["message"] == "idle"


def test_text_lines_name_the_context_too() -> None:
    logger, stream = capture(is_json=False)
    token = logs.bind(task_id="t-2", source_id=9)
    logger.info("polled")
    logs.unbind(token)
    assert stream.getvalue().rstrip().endswith("polled task_id=t-2 source_id=9")
