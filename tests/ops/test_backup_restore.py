"""The backup-and-restore drill of docs/operations.md, run for real: back up with the
documented command, restore into a fresh database, and find every row and the schema
revision again."""

from __future__ import annotations

import hashlib
import secrets
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from models.articles import Article
from models.db import Database, make_database, session_scope
from models.sources import Source
from models.users import User

TABLES = (Source, Article, User)


def fill(database: Database) -> None:
    with session_scope(database) as session:
        source = Source(url="http://127.0.0.1/feed.xml", name="Feed")
        session.add_all([source, User(email="a@example.test", password_hash="!")])
        session.flush()
        for index in range(50):
            key = f"entry-{index}"
            session.add(Article(source_id=source.id, entry_key=key,
                                entry_hash=hashlib.sha256(key.encode()).hexdigest(),
                                content_hash="0" * 64, title=f"Été {index} — ünïcode",
                                published_at=source.created_at))


def snapshot(database: Database) -> dict[str, object]:
    with database.reader() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in TABLES}
        titles = sorted(session.scalars(select(Article.title)))
        revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    return {"counts": counts, "titles": titles, "revision": revision}


@pytest.mark.slow   # the sqlite3 command line tool
def test_sqlite_backup_command_restores_every_row(database: Database, settings,
                                                  tmp_path: Path) -> None:
    if not database.is_sqlite:
        pytest.skip("the SQLite drill runs on the SQLite backend")
    fill(database)
    source_file = make_url(settings.database_url).database
    backup = tmp_path / "hopper-backup.db"
    # The documented command: an online, consistent copy even while workers write.
    subprocess.run(["sqlite3", source_file, f".backup '{backup}'"], check=True, timeout=60)
    restored_file = tmp_path / "restored" / "hopper.db"
    restored_file.parent.mkdir()
    restored_file.write_bytes(backup.read_bytes())
    restored = make_database(f"sqlite:///{restored_file}")
    try:
        with restored.reader() as session:
            assert session.scalar(text("PRAGMA integrity_check")) == "ok"
        assert snapshot(restored) == snapshot(database)
    finally:
        restored.dispose()


@pytest.mark.slow   # pg_dump and pg_restore
def test_postgresql_pg_dump_and_pg_restore_restore_every_row(database: Database, settings,
                                                             tmp_path: Path) -> None:
    if database.is_sqlite:
        pytest.skip("the PostgreSQL drill runs on the PostgreSQL backend")
    fill(database)
    url = make_url(settings.database_url)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "hopper.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", libpq],
                   check=True, timeout=120)
    name = f"hopper_restore_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    restored = make_database(url.set(database=name).render_as_string(hide_password=False))
    try:
        target = url.set(drivername="postgresql", database=name) \
            .render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}",
                        str(dump)], check=True, timeout=120)
        assert snapshot(restored) == snapshot(database)
    finally:
        restored.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
