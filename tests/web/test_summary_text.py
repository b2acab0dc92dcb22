"""A summary is stored as text (workers/ingest/steps/clean.py reads the feed's HTML
description, or the body's first words, into text): what looks like a tag in it is
words. "if x<y and y>z then" lost "<y and y>" on every page that stripped markup from it
(cards, the article's standfirst and description, RSS out, search snippets), as titles
once did. Fed through `hopper ingest` from a feed on loopback."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from email.utils import format_datetime

import feedparser
import lxml.html
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.base import utcnow
from models.db import Database
from models.permalinks import article_path
from tests.sources import add_source

TITLE = "Compiler notes: ordering rules explained"
SUMMARY = ("Why a<b matters: if x<y and y>z then the <analysis> holds, "
           "& “quotes” stay as written.")


FEED = ("<?xml version='1.0' encoding='utf-8'?>"
        "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
        "<channel><title>Compiler Weekly</title><link>http://example.test/</link>"
        "<item><guid>notes-1</guid><title>" + TITLE + "</title>"
        "<link>http://example.test/notes-1</link><description>{description}</description>"
        "<content:encoded><![CDATA[<p>The committee published its ordering rules on "
        "Monday, with worked examples for each case.</p>]]></content:encoded>"
        "<pubDate>" + format_datetime(utcnow() - timedelta(minutes=30), usegmt=True) +
        "</pubDate></item></channel></rss>")


def text_of(page: bytes, xpath: str) -> list[str]:
    tree = lxml.html.fromstring(page)
    return [re.sub(r"\s+", " ", node if isinstance(node, str) else node.text_content()).strip()
            for node in tree.xpath(xpath)]


def test_a_summary_keeps_every_word_that_looks_like_markup(
        runner, client, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/notes.xml").respond_with_data(
        # An RSS description is HTML: the publisher escapes "<" in it, and the feed escapes
        # that HTML again.
        FEED.format(description=html.escape(html.escape(SUMMARY, quote=False), quote=False)),
        content_type="application/rss+xml")
    add_source(database, httpserver.url_for("/notes.xml"), name="Compiler Weekly",
               rights="full")
    result = runner.invoke(args=["ingest", "--all"])
    assert result.exit_code == 0, result.output
    with database.reader() as session:
        article = session.scalars(select(Article)).one()
        path = article_path(article)
        assert article.summary == SUMMARY

    home = client.get("/")
    assert home.status_code == 200
    assert SUMMARY in text_of(home.data, "//*[contains(@class, 'summary')]")

    page = client.get(path)
    assert page.status_code == 200
    assert text_of(page.data, "//p[contains(@class, 'standfirst')]") == [SUMMARY]
    assert text_of(page.data, "//meta[@name='description']/@content") == [SUMMARY]

    entry = feedparser.parse(client.get("/feed.xml").data).entries[0]
    # RSS descriptions are HTML: escaped once, they read as exactly the text.
    assert html.unescape(entry.summary) == SUMMARY

    # (A word outside the brackets: PostgreSQL's text search parser reads "<analysis>" as
    # a tag and leaves it out of the index.)
    found = client.get("/search?q=holds")
    assert found.status_code == 200
    assert any("if x<y and y>z then the <analysis> holds" in text
               for text in text_of(found.data, "//main//p"))

    api = client.get(f"/api/v1/articles/{article.id}").get_json()
    assert api["summary"] == SUMMARY
