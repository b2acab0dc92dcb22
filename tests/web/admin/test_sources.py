"""Admin › Sources: adding stores the URL as given and enqueues finding its feed; edit,
pause, resume, poll now; the health table in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from models.base import utcnow
from models.db import session_scope
from models.sections import Section
from models.sources import Source
from tests.processes import wait_for

pytestmark = pytest.mark.usefixtures("no_csrf")

POLL_TASK = "workers.poll_source"
RESOLVE_TASK = "workers.resolve_source"


def _sources(database) -> list[Source]:
    with database.reader() as session:
        return list(session.scalars(select(Source).order_by(Source.id)))


def _wait_for_worker_log(worker, text: str, count: int) -> None:
    assert wait_for(lambda: worker.output().count(text) >= count), worker.output()[-3000:]


def test_adding_a_source_stores_it_and_enqueues_finding_its_feed(
        client, admin, database, celery_worker) -> None:
    seen = celery_worker.output().count(RESOLVE_TASK)
    response = client.post("/admin/sources", data={
        "url": " https://news.example.org/ ", "name": "Example", "section_id": "0",
        "interval_minutes": ""})
    assert response.status_code == 302
    [source] = _sources(database)
    assert source.url == "https://news.example.org/" and source.status == "ok"
    assert source.interval_override_minutes is None
    _wait_for_worker_log(celery_worker, RESOLVE_TASK, seen + 1)


@pytest.mark.parametrize("url", ["not a url", "ftp://example.org/feed", "http://", "javascript:x",
                                 "http://[::1/zz.xml"])
def test_a_malformed_url_is_refused(client, admin, database, url: str) -> None:
    assert client.post("/admin/sources", data={"url": url, "section_id": "0"}).status_code == 400
    assert _sources(database) == []


def test_the_same_feed_url_cannot_be_added_twice(client, admin, database) -> None:
    data = {"url": "https://example.org/feed.xml", "section_id": "0"}
    assert client.post("/admin/sources", data=data).status_code == 302
    response = client.post("/admin/sources", data=data)
    assert response.status_code == 409
    assert "already on the list" in response.get_data(as_text=True)
    assert len(_sources(database)) == 1


def test_edit_section_and_interval_within_limits(client, admin, database) -> None:
    with session_scope(database) as session:
        session.add(Section(slug="world", name="World"))
        session.add(Source(url="https://example.org/a.xml", name="A"))
    [source] = _sources(database)
    with database.reader() as session:
        world = session.scalar(select(Section))
    assert client.post(f"/admin/sources/{source.id}", data={
        "name": "A", "section_id": str(world.id), "interval_minutes": "5"}).status_code == 400
    assert client.post(f"/admin/sources/{source.id}", data={
        "name": "A", "section_id": str(world.id), "interval_minutes": "60"}).status_code == 302
    [source] = _sources(database)
    assert source.section_id == world.id and source.interval_override_minutes == 60


def test_pause_and_resume(client, admin, database) -> None:
    with session_scope(database) as session:
        session.add(Source(url="https://example.org/a.xml", name="A", status="failing",
                           error_count=4, next_poll_at=utcnow() + timedelta(days=1),
                           last_error="HTTP 503"))
    [source] = _sources(database)
    client.post(f"/admin/sources/{source.id}/pause")
    assert _sources(database)[0].status == "paused"
    client.post(f"/admin/sources/{source.id}/resume")
    [source] = _sources(database)
    assert source.status == "ok" and source.error_count == 0
    assert source.last_error is None                 # "with its errors cleared"
    assert source.next_poll_at <= utcnow()


def test_the_list_names_no_next_poll_for_a_source_that_is_not_scheduled(
        client, admin, database) -> None:
    """A paused or gone (410) source is polled again only once an admin resumes it."""
    later = utcnow() + timedelta(hours=3)
    with session_scope(database) as session:
        for name, status in (("Paused desk", "paused"), ("Gone desk", "gone"),
                             ("Live desk", "ok")):
            session.add(Source(url=f"https://example.org/{status}.xml", name=name,
                               status=status, next_poll_at=later))
    page = client.get("/admin/sources").get_data(as_text=True)
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0]
            for name in ("Paused desk", "Gone desk", "Live desk")}
    assert "<td>paused</td>" in rows["Paused desk"] and "<td>gone</td>" in rows["Gone desk"]
    assert "<td>gone</td>" not in rows["Live desk"] and "<td>paused</td>" not in rows["Live desk"]


def test_poll_now_enqueues_the_poll_task_for_a_real_worker(client, admin, database,
                                                           celery_worker) -> None:
    with session_scope(database) as session:
        session.add(Source(url="https://example.org/a.xml", name="A"))
    [source] = _sources(database)
    seen = celery_worker.output().count(POLL_TASK)
    assert client.post(f"/admin/sources/{source.id}/poll").status_code == 302
    _wait_for_worker_log(celery_worker, POLL_TASK, seen + 1)


def test_poll_now_of_a_paused_source_says_to_resume_it(client, admin, database) -> None:
    """The worker skips a paused source: "Poll of A enqueued." promised a poll that never
    came."""
    with session_scope(database) as session:
        session.add(Source(url="https://example.org/a.xml", name="A", status="paused"))
    [source] = _sources(database)

    page = client.post(f"/admin/sources/{source.id}/poll",
                       follow_redirects=True).get_data(as_text=True)

    assert "A is paused: resume it to poll it." in page
    assert "enqueued" not in page
    assert f"/admin/sources/{source.id}/poll" not in page      # Resume is its action


def test_health_table_shows_status_error_and_articles_per_day(
        client, admin, database, make_article) -> None:
    for _ in range(14):
        make_article(source_name="Daily")
    make_article(source_name="Daily", published_at=utcnow() - timedelta(days=9))
    with session_scope(database) as session:
        daily = session.scalar(select(Source).where(Source.name == "Daily"))
        daily.status, daily.last_error = "failing", "HTTP 503 from server"
    page = client.get("/admin/sources").get_data(as_text=True)
    assert "HTTP 503 from server" in page and "failing" in page
    assert "2.0" in page          # 14 articles in 7 days; the 9-day-old one is outside


def test_health_table_shows_a_sources_websub_push(client, admin, database,
                                                  make_article) -> None:
    from models import websub as websub_rows

    make_article(source_name="Pushed")
    with session_scope(database) as session:
        pushed = session.scalar(select(Source).where(Source.name == "Pushed"))
        websub_rows.note_hubs(session, [(pushed.id, "https://hub.example/", pushed.url)],
                              utcnow())
        row = websub_rows.for_source(session, pushed.id)
        websub_rows.confirm(row, lease_seconds=86400, now=utcnow())
        row.rejected_deliveries = 2
    page = client.get("/admin/sources").get_data(as_text=True)
    assert "push: active until" in page and "2 refused (bad signature)" in page


def test_health_table_costs_the_same_queries_for_one_source_or_many(
        app, client, admin, database, make_article) -> None:
    def queries_for_page() -> int:
        statements: list[str] = []
        engine = app.extensions["hopper_database"].engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/sources").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    make_article(source_name="First")
    one = queries_for_page()
    for name in ("Second", "Third", "Fourth", "Fifth"):
        make_article(source_name=name)
    assert queries_for_page() == one


PAGE_WITH_FEED = (b'<!doctype html><html><head><title>Harbour news</title>'
                  b'<link rel="alternate" type="application/rss+xml" href="/feed.rss">'
                  b'</head><body>News</body></html>')
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>'
        b'<link>http://harbour.test/</link><item><guid>h1</guid><title>Tide turns</title>'
        b'<link>http://harbour.test/1</link><description>Now.</description></item>'
        b'</channel></rss>')


def test_a_web_page_url_becomes_the_feed_it_advertises_and_is_polled(
        client, admin, database, celery_worker, httpserver) -> None:
    """The form promises a page URL works: it did not (the poll ended "not a feed")."""
    httpserver.expect_request("/").respond_with_data(PAGE_WITH_FEED, content_type="text/html")
    httpserver.expect_request("/feed.rss").respond_with_data(
        FEED, content_type="application/rss+xml")
    response = client.post("/admin/sources", data={
        "url": httpserver.url_for("/"), "section_id": "0", "rights": "full",
        "full_text": "off"})
    assert response.status_code == 302
    assert wait_for(lambda: _sources(database)[0].last_polled_at is not None)
    [source] = _sources(database)
    assert source.url == httpserver.url_for("/feed.rss")
    assert (source.status, source.last_error) == ("ok", None)
    assert (source.name, source.rights, source.full_text) == ("Harbour", "full", "off")


def test_a_page_without_a_feed_says_so_on_its_health_row(
        client, admin, database, celery_worker, httpserver) -> None:
    httpserver.expect_request("/").respond_with_data(b"<html><body>Hi</body></html>",
                                                     content_type="text/html")
    assert client.post("/admin/sources", data={
        "url": httpserver.url_for("/"), "section_id": "0"}).status_code == 302
    assert wait_for(lambda: _sources(database)[0].last_error is not None)
    [source] = _sources(database)
    # Paused, its reason kept: polling a page without a feed again cannot help, and each
    # failed poll would replace the reason with a bare "not a feed".
    assert source.status == "paused" and source.rights == "excerpt"
    assert "neither a feed nor a page that advertises one" in source.last_error
    assert "correct the address" in source.last_error
    assert "neither a feed nor a page" in client.get("/admin/sources").get_data(as_text=True)


def test_an_interval_outside_the_configured_range_is_refused(client, admin, database) -> None:
    response = client.post("/admin/sources", data={
        "url": "https://example.org/feed.xml", "section_id": "0", "interval_minutes": "5"})
    assert response.status_code == 400
    assert _sources(database) == []


def test_the_edit_page_shows_reuse_signals_as_suggestions_and_saves_rights(
        client, admin, database) -> None:
    with session_scope(database) as session:
        source = Source(url="https://gazette.example/feed", name="Gazette",
                        rights_signals="feed license: http://creativecommons.org/licenses/by/4.0/"
                                       "\npage <meta name=\"robots\">: noarchive")
        session.add(source)
        session.flush()
        source_id = source.id
    page = client.get(f"/admin/sources/{source_id}").get_data(as_text=True)
    assert "Suggestions only" in page
    assert "feed license: http://creativecommons.org/licenses/by/4.0/" in page
    assert "page &lt;meta name=&#34;robots&#34;&gt;: noarchive" in page
    assert _sources(database)[0].rights == "excerpt"          # shown, never applied
    assert client.post(f"/admin/sources/{source_id}", data={
        "name": "Gazette", "section_id": "0", "rights": "full",
        "full_text": "on"}).status_code == 302
    assert (_sources(database)[0].rights, _sources(database)[0].full_text) == ("full", "on")


def test_a_full_text_failure_shows_on_the_health_row(client, admin, database) -> None:
    with session_scope(database) as session:
        session.add(Source(url="https://gazette.example/rss", name="Gazette", rights="full",
                           full_text_error="HTTP 404 from https://gazette.example/a"))
    page = client.get("/admin/sources").get_data(as_text=True)
    assert "Full text: HTTP 404 from https://gazette.example/a" in page


def test_an_admin_marks_a_source_preferred_and_unmarks_it(client, admin, database) -> None:
    with session_scope(database) as session:
        session.add(Source(url="https://example.org/p.xml", name="P"))
    [source] = _sources(database)
    assert source.is_preferred is False
    assert 'name="is_preferred"' in client.get(f"/admin/sources/{source.id}").get_data(
        as_text=True)

    client.post(f"/admin/sources/{source.id}", data={
        "name": "P", "section_id": "0", "is_preferred": "y"})
    assert _sources(database)[0].is_preferred is True

    client.post(f"/admin/sources/{source.id}", data={"name": "P", "section_id": "0"})
    assert _sources(database)[0].is_preferred is False


def test_a_wrong_address_is_corrected_on_the_edit_page_and_polled(
        client, admin, database, celery_worker, httpserver) -> None:
    """"Correct the address and resume it", said the row of a page without a feed; the
    edit page had no address to correct. A new one is looked up as an added one is."""
    httpserver.expect_request("/nothing").respond_with_data(
        b"<html><body>Hi</body></html>", content_type="text/html")
    httpserver.expect_request("/").respond_with_data(PAGE_WITH_FEED, content_type="text/html")
    httpserver.expect_request("/feed.rss").respond_with_data(
        FEED, content_type="application/rss+xml")
    assert client.post("/admin/sources", data={
        "url": httpserver.url_for("/nothing"), "section_id": "0"}).status_code == 302
    assert wait_for(lambda: _sources(database)[0].status == "paused")
    [source] = _sources(database)
    page = client.get(f"/admin/sources/{source.id}").get_data(as_text=True)
    assert f'value="{httpserver.url_for("/nothing")}"' in page

    response = client.post(f"/admin/sources/{source.id}", data={
        "url": httpserver.url_for("/"), "section_id": "0", "rights": "excerpt",
        "full_text": "auto"})
    assert response.status_code == 302
    assert wait_for(lambda: _sources(database)[0].last_polled_at is not None)
    [source] = _sources(database)
    assert source.url == httpserver.url_for("/feed.rss")      # the feed the page names
    assert (source.status, source.last_error) == ("ok", None)


def test_an_address_another_source_has_or_a_malformed_one_is_refused_on_edit(
        client, admin, database) -> None:
    with session_scope(database) as session:
        session.add_all([Source(url="https://example.org/a.xml", name="A"),
                         Source(url="https://example.org/b.xml", name="B")])
    first, _ = _sources(database)
    data = {"section_id": "0", "rights": "excerpt", "full_text": "auto"}
    taken = client.post(f"/admin/sources/{first.id}",
                        data=data | {"url": "https://example.org/b.xml"})
    assert taken.status_code == 409
    assert "already on the list" in taken.get_data(as_text=True)
    broken = client.post(f"/admin/sources/{first.id}", data=data | {"url": "http://[::1/x"})
    assert broken.status_code == 400
    assert [source.url for source in _sources(database)] == [
        "https://example.org/a.xml", "https://example.org/b.xml"]


def test_a_page_whose_feed_is_already_a_source_is_paused_not_polled_as_a_feed(
        client, admin, database, celery_worker, httpserver) -> None:
    httpserver.expect_request("/").respond_with_data(PAGE_WITH_FEED, content_type="text/html")
    httpserver.expect_request("/feed.rss").respond_with_data(
        FEED, content_type="application/rss+xml")
    with session_scope(database) as session:
        session.add(Source(url=httpserver.url_for("/feed.rss"), name="Harbour"))
    assert client.post("/admin/sources", data={
        "url": httpserver.url_for("/"), "section_id": "0"}).status_code == 302
    assert wait_for(lambda: _sources(database)[1].last_error is not None)
    page = _sources(database)[1]
    assert page.status == "paused" and page.url == httpserver.url_for("/")
    assert "already polls" in page.last_error
