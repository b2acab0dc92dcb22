"""What an operator can fix, said in one line: a `hopper` command that fails on a setting,
an unreachable database or Redis, or a schema not created yet prints `Error: …` and
exits 1 instead of a traceback (docs/operations.md, "When a command fails").

Anything else is a bug and keeps its traceback. sqlalchemy and redis are imported only
here, when a command has already failed, so a command pays nothing for this.
"""

from __future__ import annotations

from hopper.settings import SettingError, load_settings

MISSING_SCHEMA = ("the database at {where} has no Hopper tables yet. Run `hopper db upgrade` "
                  "first (`hopper up` and `make run` do it for you). Without DATABASE_URL the "
                  "database is in HOPPER_INSTANCE, ./instance of the folder a command runs "
                  "from: set it to your instance's folder, or run from there.")


def explain(error: BaseException) -> str | None:
    """The one line an operator needs for `error`, or None when it is not theirs to fix."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if isinstance(error, SettingError):
        return str(error)
    if is_missing_schema(error):
        # Named: run from another folder, `hopper` makes a new, empty ./instance there.
        return MISSING_SCHEMA.format(where=_where("database_url"))
    if isinstance(error, OperationalError | ProgrammingError):
        return (f"cannot use the database at {_where('database_url')}: "
                f"{_first_line(error.orig)}. Check DATABASE_URL (and that the server runs, "
                "the database exists and a SQLite file's folder exists and is writable).")
    if isinstance(error, RedisConnectionError | RedisTimeoutError):
        return (f"cannot reach Redis at {_where('redis_url')}: {_first_line(error)}. "
                "Check REDIS_URL and that Redis runs (unset, Hopper starts an embedded one).")
    return None


def is_missing_schema(error: BaseException) -> bool:
    """A command run before the first migration: SQLite's "no such table", PostgreSQL's
    undefined table."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    text = str(error)
    return (isinstance(error, OperationalError) and "no such table" in text) or (
        isinstance(error, ProgrammingError) and "UndefinedTable" in repr(error.orig))


def _where(key: str) -> str:
    """The URL in use, as `Settings.describe` shows it (never a password)."""
    try:
        return load_settings().describe()[key]
    except SettingError:
        return "(unreadable settings)"


def _first_line(error: BaseException | None) -> str:
    lines = str(error).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(error).__name__
