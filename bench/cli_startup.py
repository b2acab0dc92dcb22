"""How fast a `hopper` command starts: `hopper sources list` on an empty instance against
the same interpreter importing what any command needs anyway (`import flask,
sqlalchemy.orm`). The goal: at most 2× (docs/development.md, "Benchmarks").

    .venv/bin/python bench/cli_startup.py [ROUNDS]

Runs on a throw-away SQLite database in a temporary folder (no Redis is touched). The two
commands alternate, ROUNDS times each (default 15); prints the median wall time of each
and their ratio. Numbers on a busy machine are noisy: compare the ratio, within one run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = [sys.executable, "-c", "import flask, sqlalchemy.orm"]
LIST = [sys.executable, "-c", "from web.cli import main; main()", "sources", "list"]


def wall_time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hopper-cli-bench-") as folder:
        env = dict(os.environ)
        env.update({
            "PYTHONPATH": str(ROOT),
            "HOPPER_INSTANCE": folder,
            "DATABASE_URL": f"sqlite:///{folder}/hopper.db",
            # Never started: `sources list` does not talk to Redis.
            "REDIS_URL": "redis://127.0.0.1:1/0",
        })
        subprocess.run([*LIST[:3], "db", "upgrade"], env=env, check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        for _ in range(2):                      # warm the disk cache and .pyc files
            wall_time(BASELINE, env)
            wall_time(LIST, env)
        baseline, listing = [], []
        for _ in range(rounds):
            baseline.append(wall_time(BASELINE, env))
            listing.append(wall_time(LIST, env))
    base, listed = statistics.median(baseline), statistics.median(listing)
    print(f"import flask, sqlalchemy.orm   median {base * 1000:7.0f} ms  ({rounds} runs)")
    print(f"hopper sources list (empty)    median {listed * 1000:7.0f} ms  ({rounds} runs)")
    print(f"ratio                          {listed / base:7.2f}×  (goal: at most 2×)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
