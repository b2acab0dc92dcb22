"""A `hopper` command that cannot run because of how it was set up — a setting, the
database, Redis — says so in one line naming what to fix, and exits 1: never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from models.db import Database
from tests.processes import ROOT
from tests.sources import add_source
from tests.workers.ingest.conftest import rss


def hopper(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from web.cli import main; main()", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in errors[0], errors[0]


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("HOPPER_RETENTION_DAYS", "-1", "must be a positive whole number, not '-1'"),
    ("HOPPER_PER_HOST_CONCURRENCY", "0", "must be a positive whole number, not '0'"),
    ("HOPPER_STORY_WINDOW_HOURS", "abc", "must be a positive whole number, not 'abc'"),
    ("HOPPER_TICK_SECONDS", "1.5", "must be a positive whole number, not '1.5'"),
    ("HOPPER_METRICS_ALLOW", "127.0.0.1,garbage", "IP addresses or CIDR networks"),
    ("FORWARDED_ALLOW_IPS", "notanip", "IP addresses or CIDR networks"),
    ("HOPPER_WEBSUB", "maybe", "must be one of auto, 0, 1, not 'maybe'"),
    # Read by gunicorn and celery themselves: refused before `hopper up` starts them.
    ("WEB_CONCURRENCY", "abc", "must be a positive whole number, not 'abc'"),
    ("HOPPER_WORKER_CONCURRENCY", "0", "must be a positive whole number, not '0'"),
    ("PORT", "http", "must be a TCP port number (1-65535), not 'http'"),
    # Digits to str.isdigit(): int() refuses the first, gunicorn cannot bind the second.
    ("PORT", "\u00b2", "must be a TCP port number (1-65535), not '\u00b2'"),
    ("PORT", "\u0665\u0660\u0660\u0660", "must be a TCP port number (1-65535)"),
    ("DATABASE_URL", "foo://bar", "must be a sqlite:///PATH or postgresql://"),
    ("DATABASE_URL", "notaurl", "not 'notaurl'"),
    ("DATABASE_URL", "mysql://hopper:secret@db/hopper", "not 'mysql://hopper:***@db/hopper'"),
    # Every absolute link (feeds, sitemap, emails) starts with it.
    ("HOPPER_BASE_URL", "notaurl", "the site's http(s) address, like https://news.example"),
    ("HOPPER_BASE_URL", "ftp://news.example", "not 'ftp://news.example'"),
    ("HOPPER_BASE_URL", "https://news.example:99999", "not 'https://news.example:99999'"),
    ("HOPPER_INSTANCE", "/proc/hopper/instance", "cannot make the folder /proc/hopper/instance"),
])
def test_a_bad_setting_is_one_line_naming_the_variable(
        subprocess_env, tmp_path: Path, variable: str, value: str, expected: str) -> None:
    env = {**subprocess_env, "HOPPER_INSTANCE": str(tmp_path), variable: value}

    assert_one_line_error(hopper(env, "sources", "list"), variable, expected)


def test_arguments_that_are_not_utf8_or_no_id_are_refused_in_one_line(
        subprocess_env, tmp_path: Path, database: Database) -> None:
    """Bytes that are not UTF-8 on the command line (Python reads them as lone
    surrogates, which no database takes) and ids no id column can hold: a usage error or
    "no source", never a traceback."""
    env = {**subprocess_env, "HOPPER_INSTANCE": str(tmp_path)}
    undecodable = b"Bad\xffName".decode("utf-8", "surrogateescape")
    for args in (("sources", "add", "http://127.0.0.1:9/feed.xml", "--name", undecodable),
                 ("users", "create", f"r{undecodable}@example.com", "--password-stdin")):
        result = subprocess.run(
            [sys.executable, "-c", "from web.cli import main; main()", *args], env=env,
            cwd=ROOT, capture_output=True, timeout=120, check=False)
        stderr = result.stderr.decode("utf-8", "replace")
        assert result.returncode == 2, stderr
        assert "Traceback" not in stderr and "not valid UTF-8: b'" in stderr, stderr
    result = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "users", "create",
         "reader@example.com", "--password-stdin"], env=env, cwd=ROOT, capture_output=True,
        input=b"\xff\xfe a long enough pass phrase\n", timeout=120, check=False)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1 and "Traceback" not in stderr, stderr
    assert "Error: the password on standard input is not valid UTF-8" in stderr, stderr
    for args in (("ingest", "--source", "99999999999999999999999"),
                 ("sources", "pause", "99999999999999999999999"),
                 ("sources", "resume", "0")):
        assert_one_line_error(hopper(env, *args), "no source with id")


def test_up_refuses_a_bad_process_setting_before_it_starts_anything(
        subprocess_env, tmp_path: Path) -> None:
    env = {**subprocess_env, "HOPPER_INSTANCE": str(tmp_path), "WEB_CONCURRENCY": "many"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = hopper(env, "up")
    assert_one_line_error(result, "WEB_CONCURRENCY", "not 'many'")
    assert not (tmp_path / "redis.sock").exists()      # the embedded Redis never started


@pytest.mark.parametrize(("procfile_text", "expected"), [
    (None, "cannot read the Procfile"),
    ("# web: gunicorn\n", "names no process"),
])
def test_up_refuses_a_procfile_it_cannot_run_before_it_touches_anything(
        subprocess_env, tmp_path: Path, procfile_text: str | None, expected: str) -> None:
    procfile = tmp_path / "Procfile.local"
    if procfile_text is not None:
        procfile.write_text(procfile_text)
    env = {**subprocess_env, "HOPPER_INSTANCE": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'hopper.db'}"}
    env.pop("REDIS_URL", None)

    result = hopper(env, "up", "--procfile", str(procfile))

    assert_one_line_error(result, expected, str(procfile))
    assert not (tmp_path / "hopper.db").exists()               # no schema upgrade
    assert not (tmp_path / "instance" / "redis.sock").exists()  # no embedded Redis


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://nobody@127.0.0.1:1/x", "Connection refused"),
    ("sqlite:////nonexistent/folder/hopper.db", "unable to open database file"),
])
def test_a_database_that_cannot_be_reached_is_one_line_naming_it(
        subprocess_env, tmp_path: Path, url: str, expected: str) -> None:
    env = {**subprocess_env, "HOPPER_INSTANCE": str(tmp_path), "DATABASE_URL": url}

    for command in (["db", "upgrade"], ["sources", "list"], ["up"]):
        assert_one_line_error(hopper(env, *command), "cannot use the database at",
                              expected, "Check DATABASE_URL")


def test_ingest_with_redis_down_is_one_line_naming_redis(
        subprocess_env, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")))
    add_source(database, httpserver.url_for("/feed"))
    env = {**subprocess_env, "REDIS_URL": "redis://127.0.0.1:1/0"}

    assert_one_line_error(hopper(env, "ingest", "--all"),
                          "cannot reach Redis at redis://127.0.0.1:1/0", "Check REDIS_URL")
