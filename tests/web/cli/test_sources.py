"""`hopper sources …` against the run's database and a loopback HTTP server."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.db import Database, session_scope
from models.sections import Section
from models.sources import Source
from tests.sources import add_source
from tests.workers.ingest.conftest import rss

PAGE = """<!doctype html><html><head><title>Example</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">
</head><body>Hello</body></html>"""

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
  <outline text="News">
    <outline text="World">
      <outline type="rss" text="Globe" xmlUrl="http://globe.example.test/rss"
               htmlUrl="http://globe.example.test/"/>
    </outline>
    <outline type="rss" text="Daily" xmlUrl="http://daily.example.test/rss"/>
  </outline>
  <outline type="rss" text="Tech Blog" xmlUrl="http://tech.example.test/atom"
           category="/Technology/Gadgets"/>
  <outline type="rss" text="Loose" xmlUrl="http://loose.example.test/feed"/>
  <outline type="rss" text="Bad" xmlUrl="ftp://nope.example.test/feed"/>
</body></opml>"""


def sources_in(database: Database) -> list[Source]:
    with database.reader() as session:
        return list(session.scalars(select(Source).order_by(Source.url)))


def test_add_accepts_a_feed_url(runner, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "A")), content_type="application/rss+xml")
    result = runner.invoke(args=["sources", "add", httpserver.url_for("/feed"),
                                 "--name", "Mine", "--interval", "15"])
    assert result.exit_code == 0, result.output
    [source] = sources_in(database)
    assert (source.url, source.name, source.interval_override_minutes) == \
        (httpserver.url_for("/feed"), "Mine", 15)
    assert source.status == "ok"


def test_add_accepts_a_feed_served_as_text_html(runner, database: Database,
                                               httpserver: HTTPServer) -> None:
    """Misconfigured servers (WordPress, S3, nginx) label feeds text/html: the body
    decides, as it does when polling."""
    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "A")), content_type="text/html; charset=utf-8")
    result = runner.invoke(args=["sources", "add", httpserver.url_for("/feed")])
    assert result.exit_code == 0, result.output
    [source] = sources_in(database)
    assert source.url == httpserver.url_for("/feed")


def test_add_discovers_the_feed_a_page_advertises(runner, database: Database,
                                                  httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data(PAGE, content_type="text/html")
    result = runner.invoke(args=["sources", "add", httpserver.url_for("/")])
    assert result.exit_code == 0, result.output
    assert "discovered" in result.output
    assert [s.url for s in sources_in(database)] == [httpserver.url_for("/feed.rss")]


def test_add_puts_the_source_in_a_section(runner, database: Database,
                                          httpserver: HTTPServer) -> None:
    with session_scope(database) as session:
        session.add(Section(slug="world", name="World"))
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")),
                                                         content_type="application/rss+xml")
    assert runner.invoke(args=["sources", "add", httpserver.url_for("/feed"),
                               "--section", "world"]).exit_code == 0
    assert runner.invoke(args=["sources", "add", httpserver.url_for("/feed"),
                               "--section", "nowhere"]).exit_code != 0
    [source] = sources_in(database)
    assert source.section_id is not None


def test_add_refuses_a_page_without_a_feed_and_a_duplicate(
        runner, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/plain").respond_with_data("<html>nothing</html>",
                                                          content_type="text/html")
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")),
                                                         content_type="application/rss+xml")
    refused = runner.invoke(args=["sources", "add", httpserver.url_for("/plain")])
    assert refused.exit_code != 0 and "neither a feed" in refused.output
    assert runner.invoke(args=["sources", "add", httpserver.url_for("/feed")]).exit_code == 0
    again = runner.invoke(args=["sources", "add", httpserver.url_for("/feed")])
    assert again.exit_code != 0 and "already" in again.output


def test_add_treats_dot_segments_as_the_url_they_mean(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """RFC 3986 §6.2.2.3: `/./feed` and `/x/../feed` are `/feed`, one source."""
    httpserver.expect_request("/feed").respond_with_data(rss(("a", "A")),
                                                         content_type="application/rss+xml")
    assert runner.invoke(args=["sources", "add", httpserver.url_for("/feed")]).exit_code == 0
    for alias in ("/./feed", "/x/../feed"):
        again = runner.invoke(args=["sources", "add", httpserver.url_for("/") + alias[1:]])
        assert again.exit_code != 0 and "already" in again.output, again.output
    with database.reader() as session:
        assert list(session.scalars(select(Source.url))) == [httpserver.url_for("/feed")]
    assert len(sources_in(database)) == 1


def test_add_goes_through_the_ssrf_guard(app, runner, database: Database,
                                         httpserver: HTTPServer) -> None:
    from dataclasses import replace

    app.config["HOPPER_SETTINGS"] = replace(app.config["HOPPER_SETTINGS"],
                                            allow_private_networks=False)
    result = runner.invoke(args=["sources", "add", "http://169.254.169.254/latest/"])
    assert result.exit_code != 0 and "not a public address" in result.output
    assert sources_in(database) == []


def test_import_creates_sources_and_nested_sections(runner, database: Database,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.opml"
    path.write_text(OPML)
    result = runner.invoke(args=["sources", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 4 sources" in result.output and "1 invalid" in result.output
    # Which outline, and why (on stderr, which the runner mixes into its output).
    assert "invalid: Bad (ftp://nope.example.test/feed): " in result.output
    with database.reader() as session:
        sections = {s.name: s for s in session.scalars(select(Section))}
        by_url = {s.url: s for s in session.scalars(select(Source))}
    assert sections["World"].parent_id == sections["News"].id
    assert sections["Gadgets"].parent_id == sections["Technology"].id
    assert by_url["http://globe.example.test/rss"].section_id == sections["World"].id
    assert by_url["http://globe.example.test/rss"].site_url == "http://globe.example.test/"
    assert by_url["http://daily.example.test/rss"].section_id == sections["News"].id
    assert by_url["http://tech.example.test/atom"].section_id == sections["Gadgets"].id
    assert by_url["http://loose.example.test/feed"].section_id is None
    assert by_url["http://globe.example.test/rss"].name == "Globe"

    again = runner.invoke(args=["sources", "import", str(path)])
    assert "imported 0 sources; 4 already present" in again.output
    assert len(sources_in(database)) == 4


def test_import_reads_an_opml_url(runner, database: Database,
                                  httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.opml").respond_with_data(OPML, content_type="text/xml")
    result = runner.invoke(args=["sources", "import", httpserver.url_for("/list.opml")])
    assert result.exit_code == 0, result.output
    assert len(sources_in(database)) == 4


def test_import_expands_no_entities(runner, database: Database, tmp_path: Path) -> None:
    path = tmp_path / "evil.opml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM '
                    '"file:///etc/passwd">]><opml version="2.0"><body>'
                    '<outline text="&x;" xmlUrl="http://a.example.test/feed"/>'
                    "</body></opml>")
    result = runner.invoke(args=["sources", "import", str(path)])
    # Refused as a whole, saying why; nothing read from the file, nothing stored.
    assert result.exit_code == 1, result.output
    assert "not an OPML document" in result.output and "root:" not in result.output
    assert sources_in(database) == []


def test_export_then_import_round_trips(runner, database: Database, tmp_path: Path) -> None:
    path = tmp_path / "in.opml"
    path.write_text(OPML)
    runner.invoke(args=["sources", "import", str(path)])
    exported = runner.invoke(args=["sources", "export"])
    assert exported.exit_code == 0
    assert exported.output.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    before = {(s.url, s.name, s.site_url) for s in sources_in(database)}
    with database.reader() as session:
        paths_before = _paths(session)

    with session_scope(database) as session:           # a fresh instance
        for source in session.scalars(select(Source)):
            session.delete(source)
        for section in session.scalars(select(Section)):
            session.delete(section)
    (tmp_path / "out.opml").write_text(exported.output)
    assert runner.invoke(args=["sources", "import", str(tmp_path / "out.opml")]).exit_code == 0

    assert {(s.url, s.name, s.site_url) for s in sources_in(database)} == before
    with database.reader() as session:
        assert _paths(session) == paths_before


def _paths(session) -> dict[str, tuple[str, ...]]:
    from models.sources import section_paths

    paths = section_paths(session)
    return {source.url: paths.get(source.section_id, ()) if source.section_id else ()
            for source in session.scalars(select(Source))}


def test_list_json_has_the_documented_shape(runner, database: Database,
                                            tmp_path: Path) -> None:
    path = tmp_path / "in.opml"
    path.write_text(OPML)
    runner.invoke(args=["sources", "import", str(path)])
    result = runner.invoke(args=["sources", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 4
    for row in rows:
        assert set(row) == {"id", "url", "name", "section", "status", "last_error",
                            "last_polled_at", "next_poll_at", "article_count", "rights",
                            "full_text"}
        assert row["status"] in {"ok", "failing", "gone", "paused"}
        assert row["article_count"] == 0 and row["last_polled_at"] is None
        assert row["next_poll_at"].endswith("Z")
        assert datetime.fromisoformat(row["next_poll_at"].replace("Z", "+00:00")).tzinfo
    globe = next(row for row in rows if row["url"] == "http://globe.example.test/rss")
    assert globe["section"] == "world" and globe["name"] == "Globe"


def test_pause_and_resume_a_source_from_the_command_line(runner, database: Database) -> None:
    """A source the fetcher paused (a private address before HOPPER_ALLOW_PRIVATE_NETWORKS
    was set, say) comes back without the admin site."""
    with session_scope(database) as session:
        source = Source(url="http://feeds.example.test/paused.xml", name="Paused",
                        status="paused", error_count=3)
        session.add(source)
        session.flush()
        source_id = source.id
    resumed = runner.invoke(args=["sources", "resume", str(source_id)])
    assert resumed.exit_code == 0 and f"Resumed source {source_id}: Paused" in resumed.output
    with session_scope(database, write=False) as session:
        row = session.get(Source, source_id)
        assert (row.status, row.error_count) == ("ok", 0)
    paused = runner.invoke(args=["sources", "pause", str(source_id)])
    assert paused.exit_code == 0
    with session_scope(database, write=False) as session:
        assert session.get(Source, source_id).status == "paused"
    missing = runner.invoke(args=["sources", "resume", "999999"])
    assert missing.exit_code == 1 and "no source with id 999999" in missing.output


def test_list_prints_a_table(runner, database: Database) -> None:
    assert "no sources yet" in runner.invoke(args=["sources", "list"]).output


def test_add_sets_rights_and_full_text_and_list_json_shows_them(
        runner, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "A")), content_type="application/rss+xml")
    httpserver.expect_request("/other").respond_with_data(
        rss(("b", "B")), content_type="application/rss+xml")
    assert runner.invoke(args=["sources", "add", httpserver.url_for("/feed"), "--rights",
                               "full", "--full-text", "off"]).exit_code == 0
    assert runner.invoke(args=["sources", "add", httpserver.url_for("/other")]).exit_code == 0
    listed = {row["url"]: (row["rights"], row["full_text"]) for row in json.loads(
        runner.invoke(args=["sources", "list", "--json"]).output)}
    assert listed == {httpserver.url_for("/feed"): ("full", "off"),
                      httpserver.url_for("/other"): ("excerpt", "auto")}
    refused = runner.invoke(args=["sources", "add", httpserver.url_for("/feed"),
                                  "--rights", "everything"])
    assert refused.exit_code != 0 and "everything" in refused.output


def test_add_refuses_an_interval_outside_the_configured_range(
        runner, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss(("a", "A")), content_type="application/rss+xml")
    result = runner.invoke(args=["sources", "add", httpserver.url_for("/feed"),
                                 "--interval", "1"])
    assert result.exit_code != 0
    assert "10<=x<=1440" in result.output      # refused by the option, before any fetch
    assert sources_in(database) == []


def test_add_and_list_never_print_a_feeds_password(
        runner, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/private").respond_with_data(
        rss(("a", "A")), content_type="application/rss+xml")
    url = httpserver.url_for("/private").replace("://", "://reader:s3cret@")

    added = runner.invoke(args=["sources", "add", url])
    listed = runner.invoke(args=["sources", "list"])
    as_json = runner.invoke(args=["sources", "list", "--json"])

    assert added.exit_code == 0, added.output
    for result in (added, listed, as_json):
        assert "s3cret" not in result.output and "reader:***@" in result.output


def test_interval_shows_its_range_and_is_refused_before_any_fetch(
        runner, database: Database, httpserver: HTTPServer) -> None:
    assert "[10<=x<=1440]" in runner.invoke(args=["sources", "add", "--help"]).output
    refused = runner.invoke(args=["sources", "add", httpserver.url_for("/feed"),
                                  "--interval", "5"])
    assert refused.exit_code == 2 and "10<=x<=1440" in refused.output
    assert httpserver.log == []


def test_list_shows_escape_sequences_instead_of_obeying_them(runner,
                                                              database: Database) -> None:
    source_id = add_source(database, "http://feeds.example/escapes.xml",
                           name="Nice\x1b]0;pwned\x07 Feed", last_error="bad\x1b[2J\nfeed")
    output = runner.invoke(args=["sources", "list"]).output
    assert "\x1b" not in output and "\x07" not in output
    assert "Nice\\x1b]0;pwned\\x07 Feed" in output and "(bad\\x1b[2J feed)" in output
    paused = runner.invoke(args=["sources", "pause", str(source_id)]).output
    assert paused == f"Paused source {source_id}: Nice\\x1b]0;pwned\\x07 Feed\n"
