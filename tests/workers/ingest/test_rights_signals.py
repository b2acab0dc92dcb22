"""A feed's reuse statements (copyright, dc:rights, Atom rights, Creative Commons
license) reach the source as suggestions for the admin and never change its rights."""

from __future__ import annotations

import pytest
import redis
from pytest_httpserver import HTTPServer

from models.db import Database
from tests.workers.ingest.test_pipeline import add_source, poll, source_row
from workers.ingest.parsing.charset import decode_document
from workers.ingest.parsing.lenient import read_leniently
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.parse import _XML_DECLARATION, read_well_formed

RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:creativeCommons="http://backend.userland.com/creativeCommonsRssModule">
<channel><title>Gazette</title><link>http://gazette.test/</link>
<copyright>&#169; 2026 Gazette Media</copyright>
<creativeCommons:license>http://creativecommons.org/licenses/by-nd/4.0/</creativeCommons:license>
<item><guid>g1</guid><title>One</title><link>http://gazette.test/1</link></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Journal</title><id>urn:j</id>
<updated>2026-11-23T10:00:00Z</updated><rights type="html">CC BY 4.0 &amp;lt;3</rights>
<entry><id>urn:j:1</id><title>One</title><updated>2026-11-23T10:00:00Z</updated></entry>
</feed>"""
RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://r.test/"><title>R</title><link>http://r.test/</link>
<dc:rights>All rights reserved</dc:rights></channel>
<item rdf:about="http://r.test/1"><title>One</title><link>http://r.test/1</link></item>
</rdf:RDF>"""


@pytest.mark.parametrize(("document", "expected"), [
    (RSS, ("feed rights: © 2026 Gazette Media",
           "feed license: http://creativecommons.org/licenses/by-nd/4.0/")),
    (ATOM, ("feed rights: CC BY 4.0 <3",)),
    (RDF, ("feed rights: All rights reserved",))], ids=["rss", "atom", "rdf"])
def test_both_paths_read_the_same_reuse_statements(document: bytes,
                                                   expected: tuple[str, ...]) -> None:
    body = _XML_DECLARATION.sub("", decode_document(document, {}).text, count=1)
    fast, _ = read_well_formed(body, "http://feed.test/")
    lenient, _ = read_leniently(body, "http://feed.test/")
    assert fast.rights == lenient.rights == expected


def test_a_polled_feed_suggests_its_rights_and_changes_nothing(
        database: Database, redis_client: redis.Redis, http: FeedClient,
        httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS,
                                                         content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/feed"))
    poll(source_id, database, redis_client, http)
    poll(source_id, database, redis_client, http, force=True)   # seen again: not repeated
    source = source_row(database, source_id)
    assert source.rights == "excerpt"
    assert source.rights_signals == (
        "feed rights: © 2026 Gazette Media\n"
        "feed license: http://creativecommons.org/licenses/by-nd/4.0/")
