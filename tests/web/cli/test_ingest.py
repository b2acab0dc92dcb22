"""`hopper ingest`: the pipeline run in-process, with a summary."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import redis
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hopper.embedded_redis import EmbeddedRedis
from hopper.settings import EMBEDDED_REDIS_SOCKET, Settings
from models import sources as source_rows
from models.base import utcnow
from models.db import Database, session_scope
from models.sources import Source
from tests.sources import add_source, article_count
from tests.workers.ingest.conftest import rss
from web.cli.command_app import command_redis


def test_ingest_all_summarises_and_exits_0_when_a_source_fails(
        runner, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/good").respond_with_data(rss(("a", "A"), ("b", "B")))
    httpserver.expect_request("/broken").respond_with_data("", status=500)
    good = add_source(database, httpserver.url_for("/good"), name="Good feed")
    broken = add_source(database, httpserver.url_for("/broken"), name="Broken feed",
                        next_poll_at=utcnow() + timedelta(hours=5))   # not due: --all

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    good_line = next(line for line in lines if "Good feed" in line)
    broken_line = next(line for line in lines if "Broken feed" in line)
    assert good_line.split()[:6] == [str(good), "Good", "feed", "ok", "2", "0"]
    assert "failed" in broken_line and "HTTP 500" in broken_line
    assert "total (2 sources)" in result.output
    assert article_count(database) == 2
    with database.reader() as session:
        assert session.get(Source, broken).status == "failing"


def test_the_summary_counts_entries_too_old_to_store_apart_from_unchanged(
        runner, database: Database, httpserver: HTTPServer) -> None:
    old = rss(("a", "A"), ("b", "B")).replace(b"Mon, 02 Nov 2026", b"Mon, 01 Jan 1900")
    httpserver.expect_request("/old").respond_with_data(old)
    add_source(database, httpserver.url_for("/old"), name="Old feed")
    result = runner.invoke(args=["ingest", "--all"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "too old" in lines[next(i for i, line in enumerate(lines) if "outcome" in line)]
    line = next(line for line in lines if "Old feed" in line)
    # new, updated, unchanged, too old, failed
    assert line.split()[3:9] == ["ok", "0", "0", "0", "2", "0"]
    assert "nothing stored" in line


def test_ingest_without_flags_polls_only_due_sources(runner, database: Database,
                                                     httpserver: HTTPServer) -> None:
    httpserver.expect_request("/due").respond_with_data(rss(("a", "A")))
    httpserver.expect_request("/later").respond_with_data(rss(("b", "B")))
    add_source(database, httpserver.url_for("/due"))
    add_source(database, httpserver.url_for("/later"), next_poll_at=utcnow() + timedelta(hours=1))
    result = runner.invoke(args=["ingest"])
    assert result.exit_code == 0, result.output
    assert [request.path for request, _ in httpserver.log] == ["/due"]
    assert "no sources due" in runner.invoke(args=["ingest"]).output


def test_ingest_one_source_even_when_paused_and_it_stays_paused(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """Polled once on purpose, it is not resumed: the beat would poll it again."""
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")))
    source_id = add_source(database, httpserver.url_for("/feed"), status="paused")
    result = runner.invoke(args=["ingest", "--source", str(source_id)])
    assert result.exit_code == 0, result.output
    assert article_count(database) == 1
    with database.reader() as session:
        assert session.get(Source, source_id).status == "paused"
    assert runner.invoke(args=["ingest", "--source", "999"]).exit_code != 0
    both = runner.invoke(args=["ingest", "--all", "--source", str(source_id)])
    assert both.exit_code == 2 and "--all and --source" in both.output


def test_a_source_paused_while_its_poll_runs_stays_paused(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """The admin pauses it while the publisher is still answering: storing the poll must
    not put it back to ok (or failing), which the beat would poll again."""
    source_id = add_source(database, httpserver.url_for("/feed"))

    def pause_then_answer(_: Request) -> Response:
        with session_scope(database) as session:
            source_rows.pause(session.get(Source, source_id))
        return Response(rss(("a", "A")), content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(pause_then_answer)
    result = runner.invoke(args=["ingest", "--all"])
    assert result.exit_code == 0, result.output
    assert article_count(database) == 1
    with database.reader() as session:
        assert session.get(Source, source_id).status == "paused"


def test_the_command_starts_the_embedded_redis_only_when_none_runs(
        settings: Settings, tmp_path: Path) -> None:
    own = replace(settings, instance_path=tmp_path, is_redis_embedded=True,
                  redis_url=f"unix://{tmp_path / EMBEDDED_REDIS_SOCKET}")
    with command_redis(own) as client:
        assert client.ping()
    assert not EmbeddedRedis(tmp_path, tmp_path / EMBEDDED_REDIS_SOCKET).is_answering()

    already = EmbeddedRedis(tmp_path, tmp_path / EMBEDDED_REDIS_SOCKET)
    already.start()
    try:
        with command_redis(own) as client:
            client.set("kept", "1")
        assert already.is_answering()              # not ours to stop
        assert redis.Redis(unix_socket_path=str(tmp_path / EMBEDDED_REDIS_SOCKET)).get("kept")
    finally:
        already.stop()


def test_the_summary_shows_escape_sequences_in_a_name_instead_of_obeying_them(
        runner, database: Database, httpserver: HTTPServer) -> None:
    # A name stored before ingest stripped control characters (hopper.text.without_controls).
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")))
    add_source(database, httpserver.url_for("/feed"), name="Nice\x1b]0;pwned\x07 Feed")

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Nice\\x1b]0;pwned\\x07 Feed" in result.output


def test_a_feed_read_in_another_charset_than_it_declared_says_so_in_the_sources_list(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """A minimal feed mimicking a common real pattern (no saved copy): a server that
    labels every response ISO-8859-1 sending a UTF-8 feed. It is read right, and the
    admin sees why (an accented name that looked wrong starts there)."""
    body = rss(("a", "Café crème")).replace(b'encoding="utf-8"', b'encoding="iso-8859-1"')
    httpserver.expect_request("/labelled").respond_with_data(
        body, content_type="application/rss+xml; charset=ISO-8859-1")
    httpserver.expect_request("/plain").respond_with_data(
        rss(("b", "Café")), content_type="application/rss+xml; charset=utf-8")
    labelled = add_source(database, httpserver.url_for("/labelled"), name="Labelled")
    plain = add_source(database, httpserver.url_for("/plain"), name="Plain")

    assert runner.invoke(args=["ingest", "--all"]).exit_code == 0

    rows = {row["id"]: row for row in json.loads(
        runner.invoke(args=["sources", "list", "--json"]).output)}
    assert (rows[labelled]["status"], rows[labelled]["last_error"]) == (
        "ok", "encoding: declared ISO-8859-1 but the bytes are UTF-8; read as UTF-8")
    assert (rows[plain]["status"], rows[plain]["last_error"]) == ("ok", None)
    listing = runner.invoke(args=["sources", "list"]).output
    line = next(line for line in listing.splitlines() if "Labelled" in line)
    assert "(encoding: declared ISO-8859-1 but the bytes are UTF-8" in line
