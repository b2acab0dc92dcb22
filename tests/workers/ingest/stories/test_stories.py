"""Stories through real polls: feeds served on loopback, polled by the real pipeline into
the run's database (SQLite or PostgreSQL), then read back from the pages and the API."""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import timedelta
from email.utils import format_datetime
from html import escape

import lxml.html
import pytest
import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import delete, func, insert, select
from werkzeug import Response

from models import stories as story_rows
from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.stories import Story, StoryTerm
from tests.article_rows import ArticleRows
from tests.workers.ingest.test_pipeline import add_source, poll
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.stories.maintain_stories import merge_converged
from workers.ingest.stories.store_stories import PER_TERM
from workers.ingest.stories.story import MAX_STORY_ARTICLES

NOW = utcnow()

QUAKE_JAPAN = ("7.1 magnitude quake hits Japan",
               "A strong earthquake of magnitude 7.1 struck off the coast of northern Japan "
               "on Tuesday, the Japan Meteorological Agency said.")
QUAKE_JAPAN_2 = ("Strong 7.1 earthquake strikes northern Japan, tsunami warning issued",
                 "Japan issued a tsunami warning after a magnitude 7.1 earthquake struck "
                 "off its northern coast.")
QUAKE_TURKEY = ("6.4 quake hits Turkey",
                "A magnitude 6.4 earthquake struck eastern Turkey on Tuesday, the disaster "
                "agency AFAD said.")
QUAKE_JAPAN_3 = ("Tsunami warning after 7.1 quake off northern Japan",
                 "The magnitude 7.1 earthquake struck off northern Japan, and a tsunami "
                 "warning was issued for the coast.")
FED = ("Fed raises rates by a quarter point",
       "The Federal Reserve raised its benchmark interest rate by a quarter point.")
ECB = ("ECB raises rates by a quarter point",
       "The European Central Bank raised its key interest rates by a quarter point.")
WIRE = ("Dutch court orders Shell to cut emissions by 45 percent",
        "A Dutch court ordered Royal Dutch Shell on Wednesday to cut its carbon emissions "
        "by 45% by 2030 from 2019 levels.")


def feed(*items: tuple[str, str, str], minutes_ago: int = 30) -> bytes:
    """RSS with (guid, title, description) items, published `minutes_ago`."""
    date = format_datetime(NOW - timedelta(minutes=minutes_ago), usegmt=True)
    body = "".join(
        f"<item><guid>{guid}</guid><title>{escape(title)}</title>"
        f"<link>http://example.test/{guid}</link><description>{escape(text)}</description>"
        f"<pubDate>{date}</pubDate></item>" for guid, title, text in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed</title><link>http://example.test/</link>{body}</channel></rss>"
            ).encode()


class Outlets:
    """Sources, each with its own feed path on the loopback server; `publish` sets what
    the feed holds and `poll` runs the real pipeline for it."""

    def __init__(self, database: Database, redis_client: redis.Redis, http: FeedClient,
                 server: HTTPServer) -> None:
        self.database, self.redis, self.http, self.server = database, redis_client, http, server
        self.ids: dict[str, int] = {}

        self.feeds: dict[str, bytes] = {}

    def add(self, name: str, **fields: object) -> int:
        self.ids[name] = add_source(self.database, self.server.url_for(f"/{name}.xml"),
                                    name=name, **fields)
        self.server.expect_request(f"/{name}.xml").respond_with_handler(
            lambda _request: Response(self.feeds[name], content_type="application/rss+xml"))
        return self.ids[name]

    def publish(self, name: str, *items: tuple[str, str, str], minutes_ago: int = 30) -> None:
        """What the outlet's feed holds from now on."""
        if name not in self.ids:
            self.add(name)
        self.feeds[name] = feed(*items, minutes_ago=minutes_ago)

    def poll(self, name: str) -> None:
        result = poll(self.ids[name], self.database, self.redis, self.http)
        assert result.outcome == "ok", result


@pytest.fixture
def outlets(database: Database, redis_client: redis.Redis, http: FeedClient,
            httpserver: HTTPServer) -> Outlets:
    return Outlets(database, redis_client, http, httpserver)


def story_of(database: Database, title: str) -> int:
    with database.reader() as session:
        story_ids = set(session.scalars(select(Article.story_id).where(Article.title == title)))
    assert len(story_ids) == 1, (title, story_ids)
    return story_ids.pop()


def story_row(database: Database, story_id: int) -> Story:
    with database.reader() as session:
        story = session.get(Story, story_id)
        assert story is not None
        return story


def test_wire_copies_from_three_outlets_join_one_story_and_fold_into_one_line(
        outlets: Outlets, database: Database, client) -> None:
    for number, name in enumerate(("wire", "daily", "herald")):
        outlets.publish(name, (f"{name}-1", WIRE[0], WIRE[1]), minutes_ago=40 - number)
        outlets.poll(name)

    story_id = story_of(database, WIRE[0])
    story = story_row(database, story_id)
    assert (story.article_count, story.source_count) == (3, 3)
    page = client.get(f"/story/{story_id}").get_data(as_text=True)
    assert page.count('class="coverage-line"') == 1          # one wire text, one line
    assert "and daily, herald (same text)" in page
    assert typed_separators(page) == []

    # The wire runs its text a second time: counted on its line, not named twice.
    outlets.publish("wire", ("wire-1", WIRE[0], WIRE[1]), ("wire-2", WIRE[0], WIRE[1]),
                    minutes_ago=20)
    outlets.poll("wire")
    assert story_row(database, story_id).article_count == 4
    page = client.get(f"/story/{story_id}").get_data(as_text=True)
    assert page.count('class="coverage-line"') == 1
    assert "and daily, herald (same text)" in page and "(2 times)" in page


def typed_separators(page: str) -> list[str]:
    """Bylines that type a "·" between their parts: site.css already puts one between a
    byline's children, so a typed one shows twice ("wire · · 5 min ago")."""
    tree = lxml.html.fromstring(page)
    found = []
    for byline in tree.xpath('//*[contains(concat(" ", @class, " "), " byline ")]'):
        own_text = (byline.text or "") + "".join(child.tail or "" for child in byline)
        if len(byline) and own_text.strip():
            found.append(" ".join(byline.itertext()))
    return found


def story_sizes(database: Database) -> list[int]:
    with database.reader() as session:
        return sorted(session.scalars(select(func.count()).select_from(Article)
                                      .group_by(Article.story_id)), reverse=True)


def test_a_feed_repeating_one_headline_fills_stories_of_at_most_the_cap(
        outlets: Outlets, database: Database) -> None:
    """A feed that repeats one headline (a hostile one, or a 'Traffic update' every few
    minutes) put every item into one story while it stayed open: up to 10,000 a poll,
    without end, and the story page and API read every member on each request (a story
    of 300,000 took 20 s to render). A story now takes at most MAX_STORY_ARTICLES; the
    next copy starts another, and the merge does not join them again."""
    count = MAX_STORY_ARTICLES + 30
    outlets.publish("loop", *((f"r{n}", *WIRE) for n in range(count)))
    outlets.poll("loop")
    assert story_sizes(database) == [MAX_STORY_ARTICLES, 30]
    with session_scope(database) as session:
        merge_converged(session, now=utcnow(), window=timedelta(hours=48))
    assert story_sizes(database) == [MAX_STORY_ARTICLES, 30]


def test_copies_beyond_the_cap_lead_one_of_the_top_ten_not_several(
        outlets: Outlets, database: Database, client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies of one headline beyond a story's cap fill stories of their own; a flood of
    one headline from several outlets took five of the top ten (hostile-feed audit). The
    top ten show a lead headline once; the other copies' stories follow them."""
    from workers.ingest.stories import story as story_rules

    monkeypatch.setattr(story_rules, "MAX_STORY_ARTICLES", 1)
    for name in ("wire", "daily", "herald"):
        outlets.publish(name, (f"{name}-1", *WIRE), minutes_ago=5)
        outlets.poll(name)
    for number in range(11):
        outlets.publish(f"local{number}", (f"l{number}", f"Alpha{number} bravo{number} "
                                           f"charlie{number} delta{number}", ""),
                        minutes_ago=30 + number)
        outlets.poll(f"local{number}")

    ranked = client.get("/api/v1/stories?per_page=20").get_json()["items"]
    assert len(ranked) == 14
    assert [item["title"] for item in ranked[:10]].count(WIRE[0]) == 1
    assert [item["title"] for item in ranked].count(WIRE[0]) == 3     # nothing dropped


def test_an_article_page_relates_other_stories_once_each_not_its_own_coverage(
        outlets: Outlets, database: Database, client) -> None:
    for number, name in enumerate(("wire", "daily", "herald")):
        outlets.publish(name, (f"{name}-1", WIRE[0], WIRE[1]),
                        (f"{name}-2", *(QUAKE_JAPAN, QUAKE_JAPAN_2, QUAKE_JAPAN_3)[number]),
                        minutes_ago=40 - number)
        outlets.poll(name)
    with database.reader() as session:
        quake = session.scalars(select(Article).where(Article.entry_key == "wire-2")).one()

    page = client.get(f"/article/{quake.id}", follow_redirects=True).get_data(as_text=True)

    also = page.split('id="also-covered-heading"')[1].split("</section>")[0]
    assert QUAKE_JAPAN_2[0] in also and QUAKE_JAPAN_3[0] in also
    related = page.split('id="related-heading"')[1].split("</section>")[0]
    assert QUAKE_JAPAN_2[0] not in related and QUAKE_JAPAN_3[0] not in related
    assert related.count(escape(WIRE[0], quote=False)) == 1   # three copies, one story


def test_quake_and_central_bank_stories_that_share_words_stay_apart(
        outlets: Outlets, database: Database) -> None:
    outlets.publish("wire", ("w1", *QUAKE_JAPAN), ("w2", *QUAKE_TURKEY), ("w3", *FED))
    outlets.poll("wire")
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2), ("d2", *ECB))
    outlets.poll("daily")

    assert story_of(database, QUAKE_JAPAN[0]) == story_of(database, QUAKE_JAPAN_2[0])
    assert story_of(database, QUAKE_JAPAN[0]) != story_of(database, QUAKE_TURKEY[0])
    assert story_of(database, FED[0]) != story_of(database, ECB[0])


def test_two_polls_joining_one_story_at_once_both_count_in_its_centroid(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two polls (two Celery workers) add to one story at the same moment: the second to
    write folds its member into the story as the first committed it, not as it read it
    before (a lost update would leave the first's member out of the centroid)."""
    from workers.ingest.steps import store

    outlets.publish("wire", ("w1", *QUAKE_JAPAN))
    outlets.poll("wire")
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2))
    outlets.publish("herald", ("h1", *QUAKE_JAPAN_3))
    real_finish, real_adopt = store.finish_stories, store.adopt_draft
    daily_wrote, herald_writing = threading.Event(), threading.Event()

    def finish(session, plan, written):  # type: ignore[no-untyped-def]
        real_finish(session, plan, written)
        if threading.current_thread().name == "daily":
            daily_wrote.set()
            # PostgreSQL: hold the transaction open until the herald's poll is writing
            # its story too (it then waits for this one's lock on the story). SQLite's
            # write transactions are serial: the herald's poll cannot start writing
            # before this one commits.
            if not database.is_sqlite:
                assert herald_writing.wait(30)
                time.sleep(0.5)

    def adopt(session, plan):  # type: ignore[no-untyped-def]
        if threading.current_thread().name != "daily":
            herald_writing.set()
        return real_adopt(session, plan)

    monkeypatch.setattr(store, "finish_stories", finish)
    monkeypatch.setattr(store, "adopt_draft", adopt)
    daily = threading.Thread(target=outlets.poll, args=("daily",), name="daily")
    daily.start()
    assert daily_wrote.wait(30)
    outlets.poll("herald")
    daily.join(30)

    story_id = story_of(database, QUAKE_JAPAN[0])
    assert story_of(database, QUAKE_JAPAN_2[0]) == story_of(database, QUAKE_JAPAN_3[0]) \
        == story_id
    story = story_row(database, story_id)
    assert (story.article_count, story.source_count) == (3, 3)
    assert json.loads(story.centroid)["n"] == 3           # every member folded in


def poll_after_a_rival(outlets: Outlets, monkeypatch: pytest.MonkeyPatch, name: str,
                       rival: str) -> list[bool]:
    """Poll `name`, letting `rival`'s poll commit between the draft `name` makes from its
    read (store.prepare) and its write transaction: what two workers polling at once do.
    Returns what adopt_draft said of each draft it was handed."""
    from workers.ingest.steps import store

    real_prepare, real_adopt = store.prepare, store.adopt_draft
    adopted: list[bool] = []

    def prepare_then_lose_the_race(database_, updates, **options):  # type: ignore[no-untyped-def]
        prepared = real_prepare(database_, updates, **options)
        monkeypatch.setattr(store, "prepare", real_prepare)
        outlets.poll(rival)                   # commits before this poll writes
        return prepared

    def adopt(session, plan):  # type: ignore[no-untyped-def]
        adopted.append(real_adopt(session, plan))
        return adopted[-1]

    monkeypatch.setattr(store, "prepare", prepare_then_lose_the_race)
    monkeypatch.setattr(store, "adopt_draft", adopt)
    outlets.poll(name)
    return adopted


def test_a_story_another_poll_grew_after_the_draft_keeps_both_members(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A poll plans its stories from a read taken before its write transaction
    (store.prepare). Another poll that adds to the same story in between is not lost:
    the draft's member is folded into the story as that poll left it."""
    outlets.publish("wire", ("w1", *QUAKE_JAPAN))
    outlets.poll("wire")
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2))
    outlets.publish("herald", ("h1", *QUAKE_JAPAN_3))
    adopted = poll_after_a_rival(outlets, monkeypatch, "herald", rival="daily")

    assert adopted[-1] is True                # the herald's draft, not a second plan
    story_id = story_of(database, QUAKE_JAPAN[0])
    assert story_of(database, QUAKE_JAPAN_2[0]) == story_of(database, QUAKE_JAPAN_3[0]) \
        == story_id
    story = story_row(database, story_id)
    assert (story.article_count, story.source_count) == (3, 3)
    assert json.loads(story.centroid)["n"] == 3           # every member folded in


def test_a_draft_that_would_overfill_a_story_another_poll_filled_is_planned_again(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafts read before the write transaction: several polls drafting at once each saw
    room in a story and each folded its members in (the 1,000-feed bench grew one story
    to 1,386 members against a cap of 1,000). A draft that would take a story past the
    cap is stale: planned again inside the transaction, its member starts a story."""
    from workers.ingest.stories import story as story_rules

    monkeypatch.setattr(story_rules, "MAX_STORY_ARTICLES", 2)
    outlets.publish("wire", ("w1", *QUAKE_JAPAN))
    outlets.poll("wire")
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2))
    outlets.publish("herald", ("h1", *QUAKE_JAPAN_3))
    adopted = poll_after_a_rival(outlets, monkeypatch, "herald", rival="daily")

    assert adopted[-1] is False               # the herald's draft joined a full story
    assert story_of(database, QUAKE_JAPAN_2[0]) == story_of(database, QUAKE_JAPAN[0])
    assert story_of(database, QUAKE_JAPAN_3[0]) != story_of(database, QUAKE_JAPAN[0])
    assert story_sizes(database) == [2, 1]
    story = story_row(database, story_of(database, QUAKE_JAPAN[0]))
    assert json.loads(story.centroid)["n"] == 2


def test_a_first_poll_whose_entries_were_stored_meanwhile_stores_no_copy(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """`prepare` does not look up the entries of a source that never stored one (its
    first poll: every entry is new). Were they stored between that read and the write
    transaction (a poll of the same source whose lock lapsed), the transaction's own
    read finds them: no second copy, no second story, and the poll counts them as known."""
    from tests.workers.ingest.conftest import TEST_LIMITS
    from workers.ingest.steps import store

    outlets.publish("herald", ("h1", *QUAKE_JAPAN))
    real_prepare = store.prepare
    results: list[store.StoreResult] = []

    def prepare_then_lose_the_race(database_, updates, **options):  # type: ignore[no-untyped-def]
        prepared = real_prepare(database_, updates, **options)
        assert prepared is not None and not prepared.stored      # nothing looked up
        monkeypatch.setattr(store, "prepare", real_prepare)
        results.extend(store.store_updates(database_, None, updates, limits=TEST_LIMITS))
        return prepared

    monkeypatch.setattr(store, "prepare", prepare_then_lose_the_race)
    outcome = poll(outlets.ids["herald"], database, outlets.redis, outlets.http)

    assert (results[0].new, outcome.new, outcome.unchanged) == (1, 0, 1)
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Article)
                              .where(Article.title == QUAKE_JAPAN[0])) == 1
        assert session.scalar(select(func.count()).select_from(Story)) == 1
    assert story_row(database, story_of(database, QUAKE_JAPAN[0])).article_count == 1


def test_a_story_merged_away_after_the_draft_is_not_joined(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The story a draft joined was merged into another (or closed) before the poll
    could write: the draft is dropped and the poll plans again inside its transaction,
    so no article lands in a story that no longer takes coverage."""
    from workers.ingest.steps import store

    outlets.publish("wire", ("w1", *QUAKE_JAPAN))
    outlets.poll("wire")
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2))
    outlets.poll("daily")
    outlets.publish("herald", ("h1", *QUAKE_JAPAN_3))
    joined = story_of(database, QUAKE_JAPAN[0])
    real_prepare = store.prepare

    def prepare_then_merge(database_, updates, **options):  # type: ignore[no-untyped-def]
        prepared = real_prepare(database_, updates, **options)
        assert prepared is not None and prepared.draft is not None
        assert joined in prepared.draft.plan.touched          # the draft joins the story
        with session_scope(database_) as session:              # a merge pass, meanwhile
            kept = session.execute(insert(Story).returning(Story.id), [{
                "title": "Kept", "first_published_at": utcnow(),
                "last_published_at": utcnow(), "centroid": "{}", "lead_terms": "{}"}]
            ).scalar_one()
            story_rows.merge_into(session, joined, kept, now=utcnow())
        return prepared

    monkeypatch.setattr(store, "prepare", prepare_then_merge)
    outlets.poll("herald")

    herald_story = story_row(database, story_of(database, QUAKE_JAPAN_3[0]))
    assert herald_story.id != joined
    assert herald_story.is_open and herald_story.merged_into_id is None


@pytest.mark.parametrize(("title", "summary"), [
    ("زلزال بقوة 7 درجات يضرب شمال اليابان", "ضرب زلزال قوي شمال اليابان صباح اليوم"),
    ("רעידת אדמה חזקה פוקדת את צפון יפן", "רעידת אדמה חזקה פקדה את צפון יפן הבוקר"),
    ("日本北部で強い地震、津波警報", "日本の北部で強い地震があり、津波警報が出された"),
])
def test_two_outlets_copies_of_a_headline_in_a_script_without_capitals_are_one_story(
        outlets: Outlets, database: Database, title: str, summary: str) -> None:
    """Arabic, Hebrew or Japanese headlines name nothing a capital could show; the Latin
    names in their summaries (here each outlet's own) must not keep copies apart."""
    outlets.publish("gulf", ("g1", title, f"{summary} Gulf Daily News"))
    outlets.poll("gulf")
    outlets.publish("levant", ("l1", title, f"{summary} Levant Wire"))
    outlets.poll("levant")

    with database.reader() as session:
        stories = set(session.scalars(select(Article.story_id)))
    assert len(stories) == 1


def test_different_events_in_a_script_without_capitals_stay_apart(
        outlets: Outlets, database: Database) -> None:
    quake = "زلزال بقوة 7 درجات يضرب شمال اليابان"
    rates = "البنك المركزي الأوروبي يرفع أسعار الفائدة"
    outlets.publish("gulf", ("g1", quake, "ضرب زلزال قوي شمال اليابان صباح اليوم"))
    outlets.poll("gulf")
    outlets.publish("levant", ("l1", rates, "رفع البنك المركزي الأوروبي أسعار الفائدة اليوم"))
    outlets.poll("levant")

    assert story_of(database, quake) != story_of(database, rates)


def test_a_feeds_boilerplate_summary_does_not_make_its_items_one_story(
        outlets: Outlets, database: Database) -> None:
    boilerplate = ("Read the full story on our website. Subscribe to the Evening Courier "
                   "newsletter for the day's headlines, sport and weather, every evening. ")
    headlines = ["Council approves new cycle lanes on the high street",
                 "Local bakery wins national award for sourdough bread",
                 "Flooding closes the river road after heavy rain",
                 "Police appeal for witnesses after late night burglary"]
    outlets.publish("courier", *[(f"c{number}", title, boilerplate * 2)
                                 for number, title in enumerate(headlines)])
    outlets.poll("courier")

    assert len({story_of(database, title) for title in headlines}) == len(headlines)


def test_a_headlines_capitalised_first_word_is_no_name_to_disagree_on(
        outlets: Outlets, database: Database) -> None:
    """"Council approves…" and "City council approves…" report one vote: "Council" is
    capitalised only because it comes first."""
    outlets.publish("alpha", ("a1", "Council approves new river bridge budget",
                              "The budget for the new river bridge was approved."))
    outlets.poll("alpha")
    outlets.publish("beta", ("b1", "City council approves river bridge budget",
                             "Councillors voted for the bridge budget on Tuesday."))
    outlets.poll("beta")
    assert story_of(database, "Council approves new river bridge budget") \
        == story_of(database, "City council approves river bridge budget")


def test_two_events_that_share_only_a_name_stay_apart(
        outlets: Outlets, database: Database) -> None:
    """A bank's rate decision and its inquiry into traders, a singer's two news days:
    a name in common is not an event in common."""
    outlets.publish("wire", ("w1", "Bank of England holds interest rates at record low",
                             "The Bank of England kept its main rate at 0.5% for another "
                             "month."))
    outlets.poll("wire")
    outlets.publish("daily", ("d1", "Bank of England announces shake-up as it probes FX case",
                              "The Bank of England suspended an official as it investigates "
                              "currency market rigging."))
    outlets.publish("herald", ("h1", "Bank of England keeps interest rates on hold at 0.5%",
                               "Rates stay at a record low, the Bank of England said."))
    outlets.poll("daily")
    outlets.poll("herald")

    rates = story_of(database, "Bank of England holds interest rates at record low")
    assert story_of(database, "Bank of England keeps interest rates on hold at 0.5%") == rates
    assert story_of(database, "Bank of England announces shake-up as it probes FX case") \
        != rates


def test_a_headline_retelling_the_lead_in_other_words_joins_though_its_cosines_fall_short(
        outlets: Outlets, database: Database) -> None:
    """Real headlines of one report (the UCI sample's public-transit story): the second
    shares only "public transit" with the lead, too little for the cosines, but two words
    besides names are the lead retold. One word in common is not enough."""
    lead = "More Americans ride public transit than at any time since 1956"
    outlets.publish("wire", ("w1", lead, ""))
    outlets.poll("wire")
    retold = "Metro President Lobbies for Increased Federal Funding for Public Transit"
    other = "The public library extends its opening hours"
    outlets.publish("metro", ("m1", retold, ""), ("m2", other, ""), minutes_ago=29)
    outlets.poll("metro")

    assert story_of(database, retold) == story_of(database, lead)
    assert story_of(database, other) != story_of(database, lead)


def test_an_outlets_series_label_does_not_make_its_items_one_story(
        outlets: Outlets, database: Database) -> None:
    """"Morning Briefing: …" items report different events; a label before a colon is
    compared away. Coverage of one event under one label still joins."""
    outlets.publish("daily", *[
        ("b1", "Morning Briefing: Storm Ciara batters the coast",
         "Storm Ciara brought winds of 90 mph to the coast overnight."),
        ("b2", "Morning Briefing: Tesla recalls 200,000 cars",
         "Tesla is recalling 200,000 cars over a steering fault."),
        ("b3", "Morning Briefing: Nurses in Wales vote to strike",
         "Nurses in Wales voted to strike over pay."),
        ("e41", "The Science Hour, Episode 41: How octopuses dream at night",
         "This week, the sleep of octopuses."),
        ("e42", "The Science Hour, Episode 42: Building a fusion reactor at home",
         "This week, fusion.")])
    outlets.publish("wire", ("w1", "Live: Storm Ciara batters the coast with 90 mph winds",
                             "Winds of 90 mph hit the coast as Storm Ciara arrived."))
    outlets.poll("daily")
    outlets.poll("wire")

    briefings = ["Morning Briefing: Storm Ciara batters the coast",
                 "Morning Briefing: Tesla recalls 200,000 cars",
                 "Morning Briefing: Nurses in Wales vote to strike"]
    assert len({story_of(database, title) for title in briefings}) == 3
    assert story_of(database, "The Science Hour, Episode 41: How octopuses dream at night") \
        != story_of(database, "The Science Hour, Episode 42: Building a fusion reactor at home")
    assert story_of(database, "Live: Storm Ciara batters the coast with 90 mph winds") \
        == story_of(database, briefings[0])


def test_a_copy_still_finds_its_story_when_many_items_share_one_boilerplate(
        outlets: Outlets, database: Database) -> None:
    # More items than PER_TERM share the boilerplate's near-duplicate keys: such keys
    # stop counting as the mark of a copy, and a real copy is still found by its text.
    boilerplate = ("Read the full story on our website. Subscribe to the Evening Courier "
                   "newsletter for the day's headlines, sport and weather, every evening. ")
    syllables = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi")
    words = ["".join(pair) for pair in itertools.product(syllables, repeat=3)]
    headlines = [" ".join(words[5 * number:5 * number + 5]).capitalize()
                 for number in range(PER_TERM + 6)]
    outlets.publish("courier", *[(f"c{number}", title, boilerplate)
                                 for number, title in enumerate(headlines)], minutes_ago=50)
    outlets.poll("courier")
    outlets.publish("copier", ("copy", headlines[7], boilerplate), minutes_ago=40)
    outlets.poll("copier")

    stories = [story_of(database, title) for title in headlines]
    assert len(set(stories)) == len(headlines)            # no item joined another
    copy = select(Article.story_id).where(Article.entry_key.contains("copy"))
    with database.reader() as session:
        assert session.scalar(copy) == stories[7]


def test_a_bridging_article_never_chains_two_events_together(
        outlets: Outlets, database: Database) -> None:
    apple = ("Apple unveils new iPhone with faster chip",
             "Apple on Tuesday unveiled its new iPhone in Cupertino, with a faster chip.")
    bridge = ("Apple and Samsung race to ship phones with faster chips",
              "Both Apple and Samsung are racing to ship faster chips in their phones.")
    samsung = ("Samsung unveils new Galaxy phone with faster chip",
               "Samsung on Wednesday unveiled its new Galaxy phone in Seoul, with a faster "
               "chip.")
    outlets.publish("tech", ("t1", *apple))
    outlets.poll("tech")
    outlets.publish("blog", ("b1", *bridge))
    outlets.poll("blog")
    outlets.publish("gadgets", ("g1", *samsung))
    outlets.poll("gadgets")

    assert story_of(database, apple[0]) != story_of(database, samsung[0])


def test_the_lead_headline_stays_put_until_a_preferred_outlet_covers_the_story(
        outlets: Outlets, database: Database, client) -> None:
    outlets.publish("first", ("f1", *QUAKE_JAPAN), minutes_ago=50)
    outlets.poll("first")
    story_id = story_of(database, QUAKE_JAPAN[0])
    first_lead = story_row(database, story_id).lead_article_id

    outlets.publish("second", ("s1", *QUAKE_JAPAN_2), minutes_ago=45)
    outlets.poll("second")
    leads = {story_row(database, story_id).lead_article_id for _ in range(3)}
    pages = {client.get(f"/api/v1/stories/{story_id}").get_json()["lead_article_id"]
             for _ in range(3)}
    assert leads == pages == {first_lead}

    outlets.add("trusted", is_preferred=True)
    outlets.publish("trusted", ("p1", "Japan hit by 7.1 magnitude quake, tsunami warning",
                                "A magnitude 7.1 earthquake struck northern Japan; "
                                "a tsunami warning was issued."), minutes_ago=40)
    outlets.poll("trusted")
    assert story_of(database, "Japan hit by 7.1 magnitude quake, tsunami warning") == story_id
    with database.reader() as session:
        trusted = session.scalar(select(Article.id).where(Article.entry_key == "p1"))
    assert story_row(database, story_id).lead_article_id == trusted


def test_a_poll_that_plans_its_stories_again_lets_a_preferred_outlet_lead(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The draft `prepare` made no longer holds (another poll changed the stories): the
    stories planned again inside the transaction still know which outlets are preferred."""
    from workers.ingest.steps import store

    outlets.publish("first", ("f1", *QUAKE_JAPAN), minutes_ago=50)
    outlets.poll("first")
    story_id = story_of(database, QUAKE_JAPAN[0])
    outlets.add("trusted", is_preferred=True)
    outlets.publish("trusted", ("p1", *QUAKE_JAPAN_2), minutes_ago=40)
    adopted: list[bool] = []

    def draft_outdated(session, plan):  # type: ignore[no-untyped-def]
        adopted.append(False)
        return False

    monkeypatch.setattr(store, "adopt_draft", draft_outdated)
    outlets.poll("trusted")

    assert adopted == [False]
    assert story_of(database, QUAKE_JAPAN_2[0]) == story_id
    with database.reader() as session:
        trusted = session.scalar(select(Article.id).where(Article.entry_key == "p1"))
    assert story_row(database, story_id).lead_article_id == trusted


def test_an_edited_article_moves_to_the_story_it_now_reports(
        outlets: Outlets, database: Database) -> None:
    outlets.publish("wire", ("w1", *QUAKE_TURKEY), ("w2", *FED))
    outlets.poll("wire")
    outlets.publish("daily", ("d1", "Placeholder headline for a developing story",
                              "More soon."))
    outlets.poll("daily")
    alone = story_of(database, "Placeholder headline for a developing story")

    outlets.publish("daily", ("d1", "Turkey quake of magnitude 6.4 damages buildings",
                              "A 6.4 magnitude earthquake damaged buildings in eastern "
                              "Turkey, the agency AFAD said."))
    outlets.poll("daily")

    assert story_of(database, "Turkey quake of magnitude 6.4 damages buildings") == \
        story_of(database, QUAKE_TURKEY[0])
    with database.reader() as session:
        assert session.get(Story, alone) is None          # emptied, so gone


def test_top_ten_has_at_most_two_stories_led_by_one_source_and_no_story_twice(
        outlets: Outlets, database: Database, client) -> None:
    places = ["Oslo", "Lima", "Hanoi", "Quito", "Accra", "Riga", "Doha", "Suva", "Baku",
              "Male", "Apia", "Bern"]
    outlets.publish("prolific", *[
        (f"p{n}", f"{place} council approves budget for {2030 + n}",
         f"The {place} city council approved its budget for {2030 + n} on Monday.")
        for n, place in enumerate(places)], minutes_ago=5)
    outlets.poll("prolific")
    events = ["Volcano erupts near Reykjavik airport", "Tennis final postponed by rain",
              "Museum returns stolen painting", "Ferry strike halts Baltic crossings",
              "Chess prodigy wins world title", "Satellite launch delayed to spring",
              "Vaccine approved for malaria", "Bridge collapse closes motorway"]
    for n, (name, title) in enumerate(zip(("alpha", "beta", "gamma", "delta", "epsilon",
                                           "zeta", "eta", "theta"), events, strict=True)):
        outlets.publish(name, (f"{name}1", title, f"{title}, officials said."),
                        minutes_ago=60 + n)
        outlets.poll(name)

    top = client.get("/api/v1/stories?per_page=10").get_json()["items"]
    assert len(top) == 10
    with database.reader() as session:
        lead_sources = [session.get(Article, item["lead_article_id"]).source_id
                        for item in top]
    assert lead_sources.count(outlets.ids["prolific"]) <= 2
    assert len({item["id"] for item in top}) == 10

    page = client.get("/").get_data(as_text=True)
    shown = [chunk.split('"')[0] for chunk in page.split('data-story-id="')[1:]]
    assert shown and len(shown) == len(set(shown))


def test_story_api_and_pages_describe_the_coverage(outlets: Outlets, database: Database,
                                                   client) -> None:
    outlets.publish("wire", ("w1", *QUAKE_JAPAN), minutes_ago=30)
    outlets.poll("wire")
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2), minutes_ago=20)
    outlets.poll("daily")
    story_id = story_of(database, QUAKE_JAPAN[0])
    with database.reader() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.published_at)))

    listing = client.get("/api/v1/stories").get_json()
    assert listing["total"] == 1 and listing["page"] == 1
    [item] = listing["items"]
    assert item["id"] == story_id and item["article_ids"] == ids
    assert (item["article_count"], item["source_count"]) == (2, 2)
    assert set(item) == {"id", "title", "lead_article_id", "article_ids", "article_count",
                         "source_count", "first_published_at", "last_published_at",
                         "section"}
    one = client.get(f"/api/v1/stories/{story_id}").get_json()
    assert [article["id"] for article in one["articles"]] == ids
    assert {article["story_id"] for article in one["articles"]} == {story_id}
    assert client.get("/api/v1/articles").get_json()["items"][0]["story_id"] == story_id

    assert client.get("/api/v1/stories/999999").status_code == 404
    assert client.get("/api/v1/stories?section=nope").status_code == 400
    assert client.get("/api/v1/stories?per_page=0").status_code == 400
    assert client.get("/story/999999").status_code == 404
    assert client.get("/story/99999999999999999999").status_code == 404

    coverage = client.get(f"/story/{story_id}").get_data(as_text=True)
    assert QUAKE_JAPAN[0] in coverage and QUAKE_JAPAN_2[0] in coverage
    assert coverage.count('class="byline"') == 2 and typed_separators(coverage) == []
    assert 'href="http://example.test/w1"' in coverage
    home = client.get("/").get_data(as_text=True)
    assert "2 sources" in home
    article = client.get(f"/article/{ids[0]}", follow_redirects=True).get_data(as_text=True)
    also = article.split('id="also-covered-heading"')[1].split("</section>")[0]
    assert "daily" in also and QUAKE_JAPAN_2[0] in also

    outlets.publish("other", ("o1", *FED), minutes_ago=10)
    outlets.poll("other")
    home = client.get("/").get_data(as_text=True)
    assert FED[0] in home and "2 sources" in home
    assert "1 source<" not in home          # a story of one is just its article


def test_maintenance_merges_converged_stories_and_closes_quiet_ones(
        outlets: Outlets, database: Database, client) -> None:
    outlets.publish("wire", ("w1", *QUAKE_JAPAN), minutes_ago=30)
    outlets.poll("wire")
    outlets.publish("old", ("o1", *FED), minutes_ago=60 * 24 * 4)
    outlets.poll("old")
    japan, fed = story_of(database, QUAKE_JAPAN[0]), story_of(database, FED[0])
    # A twin story, as two concurrent polls on PostgreSQL can start: same event, apart.
    with session_scope(database) as session:
        twin = Story(title=QUAKE_JAPAN_2[0], first_published_at=NOW, last_published_at=NOW,
                     article_count=1, source_count=1, is_open=True, centroid="{}",
                     lead_terms="{}")
        session.add(twin)
        session.flush()
        japan_row = session.get(Story, japan)
        twin.centroid, twin.lead_terms = japan_row.centroid, japan_row.lead_terms
        source = session.scalar(select(Article.source_id).where(Article.story_id == japan))
        session.add(Article(source_id=source, entry_key="twin", entry_hash="twin",
                            title=QUAKE_JAPAN_2[0], content_hash="x", published_at=NOW,
                            story_id=twin.id))
        session.add(StoryTerm(term="japan", story_id=twin.id))
        twin_id = twin.id

    with session_scope(database) as session:
        merged = merge_converged(session, now=utcnow(), window=timedelta(hours=48))
    with session_scope(database) as session:
        closed = story_rows.close_stale(session, quiet_since=utcnow() - timedelta(hours=48),
                                        now=utcnow())

    assert merged == 1
    kept = story_of(database, QUAKE_JAPAN[0])
    assert story_of(database, QUAKE_JAPAN_2[0]) == kept
    absorbed = story_row(database, twin_id if kept == japan else japan)
    assert absorbed.merged_into_id == kept and not absorbed.is_open
    assert closed == 1 and not story_row(database, fed).is_open
    # A merged story's links lead to the coverage it joined, on the site and in the API
    # alike (the API said 404 while the page redirected).
    for prefix in ("/story", "/api/v1/stories"):
        moved = client.get(f"{prefix}/{absorbed.id}")
        assert moved.status_code == 301
        assert moved.headers["Location"].endswith(f"{prefix}/{kept}")
    assert client.get(f"/api/v1/stories/{absorbed.id}",
                      follow_redirects=True).get_json()["id"] == kept
    with database.reader() as session:
        assert not list(session.scalars(select(StoryTerm).where(StoryTerm.story_id == fed)))

    with session_scope(database) as session:      # retention deletes the old article
        session.execute(delete(Article).where(Article.story_id == fed))
    with session_scope(database) as session:
        assert story_rows.delete_emptied(session) == 1
    with database.reader() as session:
        assert session.get(Story, fed) is None
        assert session.get(Story, twin_id if kept == japan else japan) is not None


APPLE_IOS = (("Apple releases iOS 7.1 with CarPlay and a faster iPhone 4",
              "Apple released iOS 7.1 on Monday, adding CarPlay for cars and speeding up "
              "older iPhones."),
             ("iOS 7.1 is out: CarPlay arrives and Siri gets a new button",
              "The iOS 7.1 update from Apple brings CarPlay and changes to Siri."))
APPLE_TRIAL = (("Apple and Samsung return to court in second patent trial",
                "Jury selection begins in San Jose as Apple and Samsung meet again over "
                "smartphone patents."),
               ("Samsung patent trial: Apple seeks $2 billion from jury",
                "Apple asks a San Jose jury for damages over Samsung phones it says copy "
                "its patents."))


def clone_story(database: Database, story_id: int, titles: tuple[str, ...]) -> int:
    """A second open story with the same shape and index entries as `story_id`, holding
    one article per title: what two concurrent polls on PostgreSQL can start, each then
    growing with the coverage that picks it."""
    with session_scope(database) as session:
        original = session.get(Story, story_id)
        assert original is not None
        twin = Story(title=titles[0], first_published_at=NOW, last_published_at=NOW,
                     article_count=len(titles), source_count=1, is_open=True,
                     centroid=original.centroid, lead_terms=original.lead_terms)
        session.add(twin)
        session.flush()
        source = session.scalar(select(Article.source_id).where(Article.story_id == story_id))
        session.add_all(Article(source_id=source, entry_key=f"twin{n}", entry_hash=f"twin{n}",
                                title=title, content_hash="x", published_at=NOW,
                                story_id=twin.id) for n, title in enumerate(titles))
        terms = session.scalars(select(StoryTerm.term).where(StoryTerm.story_id == story_id))
        session.add_all(StoryTerm(term=term, story_id=twin.id) for term in terms)
        return twin.id


def test_a_merge_pass_that_merged_turns_the_content_version(
        outlets: Outlets, database: Database, redis_client: redis.Redis) -> None:
    """Cached pages and the remembered ranking (web/ranking.py) are keyed by the content
    version: after a merge they listed the absorbed story (or left it out and showed one
    fewer) until their TTL ran out. A pass that merged nothing leaves the caches be."""
    from hopper import content_version
    from workers.ingest.stories.maintain_stories import merge_open_stories

    outlets.publish("wire", ("w1", *QUAKE_JAPAN), minutes_ago=30)
    outlets.poll("wire")
    clone_story(database, story_of(database, QUAKE_JAPAN[0]), (QUAKE_JAPAN_2[0],))
    before = content_version.current(redis_client)

    assert merge_open_stories(database, window=timedelta(hours=48), client=redis_client) == 1
    assert content_version.current(redis_client) == before + 1
    assert merge_open_stories(database, window=timedelta(hours=48), client=redis_client) == 0
    assert content_version.current(redis_client) == before + 1


def test_an_article_stored_while_maintenance_merged_its_story_follows_the_coverage(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a poll can put an article into a story that the maintenance merge
    moves into another before the poll commits: the merge cannot see the uncommitted
    article, so it stays behind; the next pass moves it where the coverage went."""
    from workers.ingest.steps import store

    outlets.publish("wire", ("w1", *QUAKE_JAPAN), minutes_ago=30)
    outlets.poll("wire")
    japan = story_of(database, QUAKE_JAPAN[0])
    twin = clone_story(database, japan, ("Japan quake: tsunami warning after 7.1 tremor",
                                         "Tsunami warning for Japan after 7.1 quake",
                                         "Japan: 7.1 quake off the northern coast"))
    with session_scope(database) as session:     # the poll below finds only `japan`
        session.execute(delete(StoryTerm).where(StoryTerm.story_id == twin))
        row = session.get(Story, twin)
        assert row is not None
        row.centroid = json.dumps({**json.loads(row.centroid), "n": 3})  # its 3 members
    real_finish = store.finish_stories

    def merge_before_finishing(session, plan, written):  # type: ignore[no-untyped-def]
        # PostgreSQL: the maintenance pass runs and commits while this poll's article
        # is written but not committed (on SQLite it cannot: the poll holds the lock).
        if not database.is_sqlite:
            merging = threading.Thread(target=merge_now, args=(database,))
            merging.start()
            merging.join(30)
        real_finish(session, plan, written)

    monkeypatch.setattr(store, "finish_stories", merge_before_finishing)
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2), minutes_ago=29)
    outlets.poll("daily")
    monkeypatch.setattr(store, "finish_stories", real_finish)
    merge_now(database)                            # the next maintenance pass

    assert story_of(database, QUAKE_JAPAN[0]) == story_of(database, QUAKE_JAPAN_2[0]) == twin
    absorbed, kept = story_row(database, japan), story_row(database, twin)
    assert absorbed.merged_into_id == twin and absorbed.article_count == 0
    assert kept.article_count == 5


def test_a_merge_running_while_a_poll_joins_the_kept_story_keeps_the_polls_member(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The maintenance merge rewrites the kept story's centroid: it must read it after
    the poll that is adding to it commits, or that poll's member is lost."""
    from workers.ingest.steps import store

    outlets.publish("wire", ("w1", *QUAKE_JAPAN), minutes_ago=30)
    outlets.poll("wire")
    japan = story_of(database, QUAKE_JAPAN[0])
    fragment = clone_story(database, japan, ("Japan quake: tsunami warning after 7.1 tremor",))
    with session_scope(database) as session:     # the poll below finds only `japan`
        session.execute(delete(StoryTerm).where(StoryTerm.story_id == fragment))
    real_finish = store.finish_stories
    merging = threading.Thread(target=merge_now, args=(database,))

    def merge_while_uncommitted(session, plan, written):  # type: ignore[no-untyped-def]
        real_finish(session, plan, written)
        merging.start()                   # waits for this poll's commit, on both backends
        if not database.is_sqlite:
            time.sleep(0.5)

    monkeypatch.setattr(store, "finish_stories", merge_while_uncommitted)
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2), minutes_ago=29)
    outlets.poll("daily")
    merging.join(30)

    assert story_of(database, QUAKE_JAPAN_2[0]) == japan
    assert story_row(database, fragment).merged_into_id == japan
    kept = story_row(database, japan)
    assert kept.article_count == 3
    assert json.loads(kept.centroid)["n"] == 3        # wire, daily and the fragment's


def merge_now(database: Database) -> None:
    with session_scope(database) as session:
        merge_converged(session, now=utcnow(), window=timedelta(hours=48))


def test_maintenance_merges_two_well_covered_stories_of_one_event_not_of_one_name(
        outlets: Outlets, database: Database) -> None:
    """Two stories of one event that both grew (neither a fragment of the other) merge
    once their coverage is clearly the same; two stories that share only their names
    (an Apple software update, an Apple patent trial) stay apart."""
    outlets.publish("wire", ("w1", *QUAKE_JAPAN), minutes_ago=30)
    outlets.poll("wire")
    outlets.publish("daily", ("d1", *QUAKE_JAPAN_2), minutes_ago=29)
    outlets.poll("daily")
    for number, (update, trial) in enumerate(zip(APPLE_IOS, APPLE_TRIAL, strict=True)):
        outlets.publish(f"tech{number}", (f"u{number}", *update), (f"t{number}", *trial),
                        minutes_ago=20 - number)
        outlets.poll(f"tech{number}")
    japan = story_of(database, QUAKE_JAPAN[0])
    assert story_row(database, japan).article_count == 2
    update, trial = story_of(database, APPLE_IOS[0][0]), story_of(database, APPLE_TRIAL[0][0])
    assert update != trial
    assert (story_of(database, APPLE_IOS[1][0]), story_of(database, APPLE_TRIAL[1][0])) \
        == (update, trial)
    twin = clone_story(database, japan, ("Japan quake: tsunami warning after 7.1 tremor",
                                         "Tsunami warning for Japan after 7.1 quake"))

    with session_scope(database) as session:
        merged = merge_converged(session, now=utcnow(), window=timedelta(hours=48))

    assert merged == 1
    kept = story_of(database, QUAKE_JAPAN[0])
    assert kept in (japan, twin)
    assert story_of(database, "Tsunami warning for Japan after 7.1 quake") == kept
    assert story_row(database, kept).article_count == 4
    assert story_row(database, twin if kept == japan else japan).merged_into_id == kept
    assert (story_of(database, APPLE_IOS[0][0]), story_of(database, APPLE_TRIAL[0][0])) \
        == (update, trial)


def test_maintenance_merges_two_stories_whose_leads_tell_one_headline(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real headlines (UCI sample, Stacy Keibler's wedding): two polls at once each started
    a story, and the Title Case one, alone, shares no word but names with the other's
    coverage, so the merge's fragment test kept them apart and the front page showed the
    event twice. Leads that tell one headline are one event."""
    sentence = ("George Clooney ex Stacy Keibler marries tech exec Jared Pobre",
                "The former wrestler wed in a beach ceremony on Saturday.")
    title_case = ("Stacy Keibler Marries Tech Entrepreneur Jared Pobre",
                  "Guests flew to Mexico for the vows.")
    outlets.publish("herald", ("h1", *title_case), minutes_ago=20)
    outlets.publish("wire", ("w1", *sentence), minutes_ago=25)
    poll_after_a_rival(outlets, monkeypatch, "herald", rival="wire")
    assert story_of(database, title_case[0]) != story_of(database, sentence[0])

    with session_scope(database) as session:
        assert merge_converged(session, now=utcnow(), window=timedelta(hours=48)) == 1
    assert story_of(database, title_case[0]) == story_of(database, sentence[0])


@pytest.mark.parametrize(("hours_apart", "merged"), [(11, 1), (13, 0)])
def test_maintenance_leaves_a_later_development_as_news_of_its_own(
        outlets: Outlets, database: Database, hours_apart: int, merged: int) -> None:
    """A story begun 12 hours or more after another of the same event is a new
    development, not the same coverage started twice (the merge folded day-later
    fragments into the first day's coverage of a neighbouring event, the labelled
    sample's costliest mixes); within 12 hours, twins still merge."""
    outlets.publish("wire", ("w1", *QUAKE_JAPAN), minutes_ago=60 * hours_apart)
    outlets.poll("wire")
    first = story_of(database, QUAKE_JAPAN[0])
    later = clone_story(database, first, ("Japan quake: tsunami warning after 7.1 tremor",))

    with session_scope(database) as session:
        assert merge_converged(session, now=utcnow(), window=timedelta(hours=48)) == merged

    assert (story_of(database, QUAKE_JAPAN[0]) ==
            story_of(database, "Japan quake: tsunami warning after 7.1 tremor")) == bool(merged)
    still_open = {story_row(database, first).is_open, story_row(database, later).is_open}
    assert still_open == ({True, False} if merged else {True})


@pytest.mark.parametrize(("first", "second"), [
    ("City council meets on March 12", "Stadium concert set for March 12"),
    ("Kickoff event in Louisville, 12 March", "Talk shows on 12 March"),
    ("Budget vote due in 2027 after council talks", "Film festival lineup set for 2027"),
])
def test_a_date_in_common_is_no_event_in_common(outlets: Outlets, database: Database,
                                                 first: str, second: str) -> None:
    """A day beside a month's name, or a year, is not a name: sharing one made two
    short headlines one story (it weighed as a name and satisfied the name guard)."""
    outlets.publish("city", ("c1", first, ""))
    outlets.poll("city")
    outlets.publish("arts", ("a1", second, ""), minutes_ago=29)
    outlets.poll("arts")
    assert story_of(database, first) != story_of(database, second)


def test_maintenance_does_not_join_what_assignment_kept_apart(
        outlets: Outlets, database: Database) -> None:
    """Real headlines the merge used to join after assignment had kept them apart: a
    state's tax news and a company of that state in a plane search share only the name;
    a talk-show listing and a kickoff event share only the day. Assignment keeps such
    articles apart (a name, or a date, is no event); the merge must not undo it."""
    taxes = [("Colorado raises $2M in first month of marijuana taxes",
              "Colorado collected about $2 million in taxes on recreational marijuana in "
              "January, the first month of legal sales."),
             ("Colorado pot tax revenue hits $2 million in first month",
              "Recreational marijuana sales brought Colorado $2 million in taxes in their "
              "first month."),
             ("Marijuana taxes bring Colorado $2M in January",
              "Colorado's first month of legal marijuana sales raised $2 million in taxes.")]
    for number, (title, text) in enumerate(taxes):
        outlets.publish(f"paper{number}", (f"p{number}", title, text),
                        minutes_ago=40 - number)
        outlets.poll(f"paper{number}")
    others = [("Colorado company joins the search for missing plane",
               "A satellite imaging firm asks the public to scan pictures of the ocean."),
              ("Lean In Louisville kickoff event, March 12",
               "The group holds its first meeting at the public library."),
              ("TV Talk Shows: Wednesday, March 12",
               "Tonight's guests on the late-night shows.")]
    for number, (title, text) in enumerate(others):
        outlets.publish(f"local{number}", (f"l{number}", title, text),
                        minutes_ago=20 - number)
        outlets.poll(f"local{number}")
    apart = {story_of(database, title) for title, _ in [taxes[0], *others]}
    assert len(apart) == 4
    assert {story_of(database, title) for title, _ in taxes} == {story_of(database,
                                                                          taxes[0][0])}

    with session_scope(database) as session:
        merge_converged(session, now=utcnow(), window=timedelta(hours=48))

    assert {story_of(database, title) for title, _ in [taxes[0], *others]} == apart


def test_features_are_worked_out_before_the_write_transaction_and_only_for_new_text(
        outlets: Outlets, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.ingest.steps import store
    from workers.ingest.stories import store_stories

    worked_out: list[str] = []
    real_features = store.features

    def counting(title: str, summary: str = "", outlet: str = "") -> object:
        worked_out.append(title)
        return real_features(title, summary, outlet)

    def inside_the_transaction(title: str, summary: str = "", outlet: str = "") -> object:
        raise AssertionError(f"features of {title!r} were worked out under the write lock")

    monkeypatch.setattr(store, "features", counting)
    monkeypatch.setattr(store_stories, "features", inside_the_transaction)
    outlets.publish("wire", ("w1", *QUAKE_JAPAN), ("w2", *FED))
    outlets.poll("wire")
    assert sorted(worked_out) == sorted([QUAKE_JAPAN[0], FED[0]])

    worked_out.clear()
    outlets.poll("wire")                                  # nothing new: nothing to work out
    assert worked_out == []

    outlets.publish("wire", ("w1", *QUAKE_JAPAN), ("w2", FED[0] + " again", FED[1]))
    outlets.poll("wire")                                  # one edited title
    assert worked_out == [FED[0] + " again"]
    assert story_of(database, QUAKE_JAPAN[0]) != story_of(database, FED[0] + " again")


def test_a_story_led_by_an_outlet_without_a_section_is_filed_under_its_members_section(
        outlets: Outlets, database: Database, client) -> None:
    """A general outlet (no section) leads a story a technology desk also covers: the
    story belongs on the Technology page and in `stories?section=technology`, where it
    was missing when a story took only its lead's section."""
    technology = ArticleRows(database).section("technology", "Technology")
    outlets.add("general", is_preferred=True)            # keeps the lead
    outlets.add("techdesk", section_id=technology.id)
    outlets.publish("general", ("g1", *QUAKE_JAPAN), minutes_ago=40)
    outlets.poll("general")
    outlets.publish("techdesk", ("t1", *QUAKE_JAPAN_2), minutes_ago=30)
    outlets.poll("techdesk")
    story_id = story_of(database, QUAKE_JAPAN[0])
    assert story_of(database, QUAKE_JAPAN_2[0]) == story_id
    assert story_row(database, story_id).title == QUAKE_JAPAN[0]      # the general lead

    listed = client.get("/api/v1/stories?section=technology").get_json()["items"]
    assert [item["id"] for item in listed] == [story_id]
    assert listed[0]["section"] == "technology"
    assert QUAKE_JAPAN[0] in client.get("/section/technology").get_data(as_text=True)
