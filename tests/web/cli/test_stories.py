"""`hopper ingest --all` gives every article its story and, when it stored any, merges
stories that converged; `hopper stories rebuild` re-clusters the window from scratch
into the same stories."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from hopper import content_version
from models.articles import Article
from models.db import Database
from models.stories import Story
from tests.web.cli.test_ingest import add_source
from tests.workers.ingest.stories.test_stories import (
    ECB,
    FED,
    QUAKE_JAPAN,
    QUAKE_JAPAN_2,
    QUAKE_JAPAN_3,
    WIRE,
    clone_story,
    feed,
    story_of,
    story_row,
)


def groups(database: Database) -> set[frozenset[str]]:
    with database.reader() as session:
        rows = session.execute(select(Article.story_id, Article.entry_key)).all()
    by_story: dict[int, set[str]] = {}
    for story_id, key in rows:
        by_story.setdefault(story_id, set()).add(key)
    return {frozenset(keys) for keys in by_story.values()}


def test_ingest_all_clusters_and_rebuild_finds_the_same_stories(
        runner, database: Database, httpserver: HTTPServer, redis_client) -> None:
    httpserver.expect_request("/a.xml").respond_with_data(
        feed(("a1", *WIRE), ("a2", *QUAKE_JAPAN), ("a3", *FED)))
    httpserver.expect_request("/b.xml").respond_with_data(
        feed(("b1", *WIRE), ("b2", *QUAKE_JAPAN_2), ("b3", *ECB)))
    for name in ("a", "b"):
        add_source(database, httpserver.url_for(f"/{name}.xml"), name=name)

    result = runner.invoke(args=["ingest", "--all"])
    assert result.exit_code == 0, result.output
    expected = {frozenset({"a1", "b1"}), frozenset({"a2", "b2"}), frozenset({"a3"}),
                frozenset({"b3"})}
    assert groups(database) == expected

    version = content_version.current(redis_client)
    rebuilt = runner.invoke(args=["stories", "rebuild", "--since", "24"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "re-clustered 6 articles" in rebuilt.output and "into 4 stories" in rebuilt.output
    # The old stories are gone: cached pages and the remembered ranking must not list
    # them (an audit saw an empty story list and dead links for a minute).
    assert content_version.current(redis_client) > version
    assert groups(database) == expected
    with database.reader() as session:
        stories = list(session.scalars(select(Story)))
    assert len(stories) == 4 and sorted(story.article_count for story in stories) == [1, 1, 2, 2]


def test_rebuild_counts_the_stories_its_articles_end_in_after_the_merge(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """A window shorter than the story's age: its articles form a story again, which the
    merge then joins to the older part. It said "into 0 stories" for 2 articles."""
    httpserver.expect_request("/a.xml").respond_with_data(
        feed(("a1", *QUAKE_JAPAN), minutes_ago=300))
    httpserver.expect_request("/b.xml").respond_with_data(
        feed(("b1", *QUAKE_JAPAN_2), ("b2", *QUAKE_JAPAN_3)))
    for name in ("a", "b"):
        add_source(database, httpserver.url_for(f"/{name}.xml"), name=name)
    assert runner.invoke(args=["ingest", "--all"]).exit_code == 0
    assert groups(database) == {frozenset({"a1", "b1", "b2"})}

    rebuilt = runner.invoke(args=["stories", "rebuild", "--since", "2"])

    assert rebuilt.exit_code == 0, rebuilt.output
    assert "re-clustered 2 articles" in rebuilt.output
    assert groups(database) == {frozenset({"a1", "b1", "b2"})}
    assert "into 1 stories" in rebuilt.output, rebuilt.output


def test_rebuild_lets_a_preferred_outlet_lead_the_story_it_covers(
        runner, database: Database, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.xml").respond_with_data(
        feed(("a1", *QUAKE_JAPAN), minutes_ago=50))
    httpserver.expect_request("/b.xml").respond_with_data(
        feed(("b1", *QUAKE_JAPAN_2), minutes_ago=40))
    add_source(database, httpserver.url_for("/a.xml"), name="a")
    add_source(database, httpserver.url_for("/b.xml"), name="b", is_preferred=True)
    assert runner.invoke(args=["ingest", "--all"]).exit_code == 0

    rebuilt = runner.invoke(args=["stories", "rebuild", "--since", "24"])

    assert rebuilt.exit_code == 0, rebuilt.output
    assert groups(database) == {frozenset({"a1", "b1"})}
    with database.reader() as session:
        preferred = session.scalar(select(Article.id).where(Article.entry_key == "b1"))
    assert story_row(database, story_of(database, QUAKE_JAPAN[0])).lead_article_id == preferred


def test_an_ingest_run_that_stored_articles_merges_twin_stories_before_it_returns(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """Two processes polling at once can each start a story for one event (neither sees
    the other's before it commits): the front page read right after the command shows
    the event once. A run that stored nothing leaves the stories as they are."""
    httpserver.expect_request("/a.xml").respond_with_data(feed(("a1", *QUAKE_JAPAN)))
    add_source(database, httpserver.url_for("/a.xml"), name="a")
    assert runner.invoke(args=["ingest", "--all"]).exit_code == 0
    japan = story_of(database, QUAKE_JAPAN[0])
    twin = clone_story(database, japan, ("Japan quake: tsunami warning after 7.1 tremor",
                                         "Tsunami warning for Japan after 7.1 quake"))

    unchanged = runner.invoke(args=["ingest", "--all"])
    assert unchanged.exit_code == 0, unchanged.output
    assert story_row(database, twin).merged_into_id is None
    assert story_row(database, japan).merged_into_id is None

    httpserver.clear()
    httpserver.expect_request("/a.xml").respond_with_data(
        feed(("a1", *QUAKE_JAPAN), ("a2", *ECB)))
    grown = runner.invoke(args=["ingest", "--all"])
    assert grown.exit_code == 0, grown.output
    assert "stories: 1 merged into the coverage of the same event" in grown.output
    kept = story_of(database, QUAKE_JAPAN[0])
    assert story_of(database, "Tsunami warning for Japan after 7.1 quake") == kept
    assert story_row(database, twin if kept == japan else japan).merged_into_id == kept
    assert story_row(database, kept).article_count == 3


def test_a_merge_that_cannot_run_leaves_the_stored_polls_and_exits_zero(
        runner, database: Database, httpserver: HTTPServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The polls are committed before the merge: a database that went away in between
    costs the merge (the maintenance task does it later), not the command's exit code."""
    from web.cli import ingest

    def database_gone(database: Database, *, window: object, client: object) -> int:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(ingest, "merge_open_stories", database_gone)
    httpserver.expect_request("/a.xml").respond_with_data(feed(("a1", *QUAKE_JAPAN)))
    add_source(database, httpserver.url_for("/a.xml"), name="a")

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    assert "stories: not merged this time (Exception: database is locked)" in result.output
    assert groups(database) == {frozenset({"a1"})}


def test_rebuild_refuses_a_window_out_of_range(runner, database: Database) -> None:
    result = runner.invoke(args=["stories", "rebuild", "--since", "0"])
    assert result.exit_code == 2 and "--since" in result.output


# One outlet network's summary, the same for every item: words a headline in another
# script shares none of.
NETWORK_BOILERPLATE = ("The post appeared first on Daily Ledger. Follow Daily Ledger on "
                       "Twitter and Facebook for more news, sport and weather every day.")


def test_headlines_sharing_only_a_boilerplate_summary_do_not_join_one_story(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """Outlets of one network (English, Hebrew, Arabic) give every item the same English
    summary. A Hebrew election headline shares no word with an English bridge story:
    the summary's words alone must not carry it there (they made the cosine, and the
    guards had no names to compare in a script without capitals)."""
    english = [("en1", "Harbour bridge reopens after three weeks of repairs"),
               ("en2", "Cosmos: A Spacetime Odyssey")]
    hebrew = [("he1", "הבחירות לכנסת: הליכוד מובילה בסקר האחרון"),
              ("he2", "שריפה גדולה פרצה ביער הכרמל")]
    arabic = [("ar1", "انفجار جديد في مرفأ بيروت يثير الذعر")]
    for name, items in (("ledger", english), ("hayom", hebrew), ("sharq", arabic)):
        httpserver.expect_request(f"/{name}.xml").respond_with_data(
            feed(*[(guid, title, NETWORK_BOILERPLATE) for guid, title in items]))
        add_source(database, httpserver.url_for(f"/{name}.xml"), name=name)

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    assert groups(database) == {frozenset({"en1"}), frozenset({"en2"}), frozenset({"he1"}),
                                frozenset({"he2"}), frozenset({"ar1"})}


def test_chinese_and_japanese_headlines_join_their_copies_and_only_them(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """Chinese and Japanese write no spaces: a headline is one or two "words", so two
    outlets' versions of one wire headline (one adds a word) shared none, and a headline
    sharing a common word ("China") with another must still stay apart."""
    xinhua = [("x1", "国务院常务会议部署进一步扩大内需",
               "国务院总理主持召开国务院常务会议，部署进一步扩大内需、促进消费的政策措施。"),
              ("x2", "中国男篮击败日本队夺得亚洲杯冠军",
               "中国男篮在决赛中击败日本队，时隔多年再次夺得亚洲杯冠军。"),
              ("x3", "日銀、マイナス金利を解除",
               "日本銀行は金融政策決定会合で、マイナス金利政策の解除を決めた。")]
    caixin = [("c1", "国务院常务会议：部署进一步扩大内需促进消费",
               "会议指出，要进一步扩大内需，推动消费持续恢复。"),
              ("c2", "中国发布新版外商投资准入负面清单",
               "国家发展改革委和商务部发布新版负面清单，进一步缩减外资准入限制。"),
              ("c3", "日銀がマイナス金利解除を決定",
               "日銀は会合でマイナス金利の解除を決定した。")]
    for name, items in (("xinhua", xinhua), ("caixin", caixin)):
        httpserver.expect_request(f"/{name}.xml").respond_with_data(feed(*items))
        add_source(database, httpserver.url_for(f"/{name}.xml"), name=name)

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    assert groups(database) == {frozenset({"x1", "c1"}), frozenset({"x2"}), frozenset({"c2"}),
                                frozenset({"x3", "c3"})}


# Other news in the window: a merge weighs terms by their rarity among open stories.
OTHER_NEWS = [(f"o{number}", title) for number, title in enumerate((
    "Council approves new cycle lanes on the high street",
    "Local bakery wins national award for sourdough bread",
    "Flooding closes the river road after heavy rain",
    "Police appeal for witnesses after late night burglary",
    "Harbour bridge reopens after three weeks of repairs",
    "Museum unveils restored medieval tapestry",
    "School choir reaches the national final",
    "Airport expansion plan goes to public consultation"))]


def test_stories_in_two_scripts_that_share_only_a_number_stay_apart(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """A Hebrew heatwave (40 degrees) and a Japanese home-run record (40 home runs) share
    a number and nothing else: the merge that ends the run folded the home run into the
    heatwave as a fragment, the guards agreeing (the number is a name both sides are sure
    of) and the leads close enough (a name weighs 2.5 times in short headlines)."""
    heat = [("h1", "גל חום: טמפרטורות של 40 מעלות צפויות בסוף השבוע"),
            ("h2", "שרב כבד צפוי בסוף השבוע, עד 40 מעלות")]
    homer = ("j1", "大谷翔平が今季40号本塁打")
    # Other news in the window, so that the number is as rare as their words.
    feeds = {"ynet": [heat[0]], "walla": [heat[1]], "kyodo": [homer],
             "courier": OTHER_NEWS}
    for name, items in feeds.items():
        httpserver.expect_request(f"/{name}.xml").respond_with_data(
            feed(*[(guid, title, "") for guid, title in items]))
        add_source(database, httpserver.url_for(f"/{name}.xml"), name=name)

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    found = groups(database)
    assert frozenset({"h1", "h2"}) in found and frozenset({"j1"}) in found


GUARDIAN = [("g1", "Cosmos reboot returns to primetime with Neil deGrasse Tyson | The Guardian"),
            ("g2", "Flooding closes the river road after heavy rain | The Guardian")]


@pytest.mark.parametrize("items", [
    {"BBC News": [("b1", "Cosmos returns to primetime with a big bang - BBC News"),
                  ("b2", "Harbour bridge reopens to traffic after repairs - BBC News")],
     "Reuters": [("r1", "Reuters: Harbour bridge reopens after three weeks of repairs"),
                 ("r2", "Reuters: Council approves new cycle lanes on Queen Street")],
     "The Guardian": GUARDIAN},
    # Credits only pages knew for the outlet's until both read them by one rule
    # (hopper.text `without_outlet`): a hyphen in the credit, an unspaced dash.
    {"WBOC TV 16": [("b1", "Cosmos returns to primetime with a big bang - WBOC-TV 16"),
                    ("b2", "Harbour bridge reopens to traffic after repairs - WBOC-TV 16")],
     "Pacific Chronicle": [
         ("r1", "Pacific Chronicle—Harbour bridge reopens after three weeks of repairs"),
         ("r2", "Pacific Chronicle—Council approves new cycle lanes on Queen Street")],
     "The Guardian": GUARDIAN},
], ids=["spaced", "as-pages-write-them"])
def test_an_outlets_own_name_around_its_headlines_neither_splits_nor_joins_stories(
        runner, database: Database, httpserver: HTTPServer,
        items: dict[str, list[tuple[str, str]]]) -> None:
    """Some outlets credit themselves in every headline ("… - BBC News", "Reuters: …",
    "… | The Guardian"). Their name was read as a name the headline is sure of: copies of
    an event stayed apart from other outlets' (the guards found no name in common), and
    an outlet's different events shared it."""
    for name, entries in items.items():
        path = "/" + name.replace(" ", "") + ".xml"
        httpserver.expect_request(path).respond_with_data(
            feed(*[(guid, title, "") for guid, title in entries]))
        add_source(database, httpserver.url_for(path), name=name)

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    expected = {frozenset({"b1", "g1"}), frozenset({"b2", "r1"}), frozenset({"r2"}),
                frozenset({"g2"})}
    assert groups(database) == expected
    rebuilt = runner.invoke(args=["stories", "rebuild", "--since", "24"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert groups(database) == expected


def test_a_feeds_boilerplate_summary_does_not_carry_headlines_sharing_one_word(
        runner, database: Database, httpserver: HTTPServer) -> None:
    """Two outlets give every item one boilerplate summary. The Bank of Israel's rate and
    Israel Railways' new line share one word in their headlines ("Israel"), and the
    boilerplate's words lifted their cosine over the thresholds; in a script without
    capitals no name tells the two apart. A summary several items of a feed carry is
    left out: the headlines decide."""
    arabic = ("اقرأ المزيد على موقعنا وتابعونا على مواقع التواصل الاجتماعي للحصول على آخر "
              "الأخبار")
    items = {
        "haaretz": [("h1", "בנק ישראל הותיר את הריבית ללא שינוי", NETWORK_BOILERPLATE),
                    ("h2", "רכבת ישראל תפעיל קו חדש לירושלים", NETWORK_BOILERPLATE)],
        "ynet": [("y1", "הריבית נותרה ללא שינוי, הודיע בנק ישראל", NETWORK_BOILERPLATE),
                 ("y2", "קו רכבת חדש לירושלים ייפתח בחודש הבא", NETWORK_BOILERPLATE)],
        "sharq": [("s1", "مشروع سياحي سعودي جديد على ساحل البحر الأحمر", arabic),
                  ("s2", "إطلاق قمر صناعي إماراتي جديد", arabic)],
        "arabiya": [("a1", "السعودية تعلن عن مشروع سياحي جديد على البحر الأحمر",
                     "أعلنت السعودية عن مشروع سياحي جديد على ساحل البحر الأحمر"),
                    ("a2", "الإمارات تطلق قمرا صناعيا جديدا", "")],
        "courier": [(guid, title, "") for guid, title in OTHER_NEWS]}
    for name, entries in items.items():
        httpserver.expect_request(f"/{name}.xml").respond_with_data(feed(*entries))
        add_source(database, httpserver.url_for(f"/{name}.xml"), name=name)

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    found = groups(database)
    assert {frozenset({"h1", "y1"}), frozenset({"h2", "y2"}), frozenset({"s1", "a1"})} <= found
    assert not any({"s2", "a2"} & group and len(group - {"s2", "a2"}) for group in found)
