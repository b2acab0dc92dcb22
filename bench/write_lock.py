"""SQLite's write lock handed between processes: what each handover costs.

    .venv/bin/python bench/write_lock.py [--writers 2] [--transactions 100]

Writers in separate processes each run short write transactions through
models.db.session_scope, holding the lock for HOLD ms and working OUT ms outside it (the
shape of `hopper ingest --all` storing polls from two processes). With the lock busy most
of the time, the wall time can be no less than writers × transactions × HOLD; what it
takes beyond that is the handovers: the time the lock sat free while a writer waited
(models.db._begin_write retries every millisecond; SQLite's own busy handler sleeps up to
100 ms between tries).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from models.db import make_database, session_scope  # noqa: E402


def _writer(url: str, transactions: int, hold_s: float, out_s: float) -> None:
    database = make_database(url)
    for number in range(transactions):
        with session_scope(database) as session:
            session.execute(text("INSERT INTO notes (n) VALUES (:n)"), {"n": number})
            time.sleep(hold_s)
        time.sleep(out_s)


def run(writers: int, transactions: int, hold_s: float, out_s: float) -> float:
    """Wall time beyond the lock-bound minimum, in seconds."""
    with tempfile.TemporaryDirectory(prefix="hopper-lock-") as folder:
        url = f"sqlite:///{folder}/lock.db"
        with session_scope(make_database(url)) as session:
            session.execute(text("CREATE TABLE notes (n INTEGER)"))
        context = multiprocessing.get_context("fork")
        started = time.perf_counter()
        processes = [context.Process(target=_writer, args=(url, transactions, hold_s, out_s))
                     for _ in range(writers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        wall = time.perf_counter() - started
    bound = max(writers * transactions * hold_s, transactions * (hold_s + out_s))
    return wall - bound


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--transactions", type=int, default=100)
    args = parser.parse_args()
    for hold_ms in (3, 20, 60):
        extra = run(args.writers, args.transactions, hold_ms / 1000, 0.001)
        handovers = args.writers * args.transactions
        print(f"{args.writers} writers × {args.transactions} transactions holding "
              f"{hold_ms} ms: {extra:.2f} s beyond the lock-bound minimum "
              f"({1000 * extra / handovers:.2f} ms per transaction)")


if __name__ == "__main__":
    main()
