"""How long password work takes, and whether the sign-in and forgotten-password forms
answer as fast for unknown addresses as for known ones (timing must not reveal accounts).

    .venv/bin/python bench/accounts.py [ROUNDS]

Runs on a throw-away SQLite database and embedded Redis in a temporary folder; prints
medians in milliseconds.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hopper.embedded_redis import embedded_redis_for  # noqa: E402
from hopper.settings import load_settings  # noqa: E402
from models import migrate  # noqa: E402
from models.db import session_scope  # noqa: E402
from models.users import create  # noqa: E402


def median_ms(action: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main(rounds: int) -> None:
    from web import create_app
    from web.auth.passwords import hash_password, verify_nobody, verify_password

    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings({"HOPPER_INSTANCE": folder, "SECRET_KEY": "bench"})
        redis = embedded_redis_for(settings)
        assert redis is not None
        with redis:
            migrate.upgrade(settings.database_url)
            app = create_app({"RATELIMIT_ENABLED": False}, settings=settings)
            stored = hash_password("a long unusual passphrase")
            with session_scope(app.extensions["hopper_database"]) as session:
                create(session, email="known@example.test", password_hash=stored,
                       terms_version="bench", is_verified=True)
            for label, work in (
                    ("argon2id hash", lambda: hash_password("x" * 12)),
                    ("argon2id verify", lambda: verify_password(stored, "x" * 12)),
                    ("verify for an unknown address", lambda: verify_nobody("x" * 12))):
                print(f"{label:34}{median_ms(work, rounds):7.1f} ms")
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            for label, path, email in (
                    ("sign-in, known address, wrong pw", "/login", "known@example.test"),
                    ("sign-in, unknown address", "/login", "nobody@example.test"),
                    ("forgot password, known address", "/password/forgot", "known@example.test"),
                    ("forgot password, unknown address", "/password/forgot",
                     "nobody@example.test")):
                data = {"email": email, "password": "wrong password!", "csrf_token": token}
                took = median_ms(lambda: client.post(path, data=data), rounds)  # noqa: B023
                print(f"{label:34}{took:7.1f} ms")
            app.extensions["hopper_database"].dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
