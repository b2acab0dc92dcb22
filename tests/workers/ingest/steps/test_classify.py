"""classify: the source's section by default, keyword rules move articles, tags normalised."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workers.ingest.records import CleanArticle
from workers.ingest.steps.classify import SectionRule, classify, tag_slug

POLITICS, WORLD, SPORT = 11, 12, 13


def _article(title: str = "A title", summary: str = "", tags: tuple[str, ...] = ()):
    return CleanArticle(
        entry_key="k", entry_hash="h", url=None, title=title, author=None, summary=summary,
        content_html="", content_hash="c", image_url=None, image_alt=None, image_caption=None,
        video_url=None, video_embed_url=None, is_video=False,
        published_at=datetime(2026, 11, 24, tzinfo=UTC), updated_at=None, tags=tags)


def _section(article: CleanArticle, rules: list[SectionRule], default: int | None = 1):
    (classified,) = classify([article], section_id=default, rules=rules)
    return classified.section_id


RULES = [SectionRule(POLITICS, ("election", "parliament", "prime minister")),
         SectionRule(SPORT, ("football", "Election")),
         SectionRule(WORLD, ("UN", "C++"))]


def test_without_rules_the_article_takes_the_source_section() -> None:
    assert _section(_article(), [], default=7) == 7
    assert _section(_article(), [], default=None) is None


def test_a_keyword_in_the_title_moves_the_article() -> None:
    assert _section(_article("Election night live"), RULES) == POLITICS


def test_a_keyword_in_the_summary_moves_the_article() -> None:
    assert _section(_article("Late news", "The football season ends"), RULES) == SPORT


def test_keywords_match_in_any_case() -> None:
    assert _section(_article("ELECTION results"), RULES) == POLITICS
    assert _section(_article("un general assembly"), RULES) == WORLD


@pytest.mark.parametrize("title", ["Electioneering as an art", "The UNESCO list",
                                   "Footballer of the year", "preelection polls"])
def test_keywords_match_whole_words_only(title: str) -> None:
    assert _section(_article(title), RULES) == 1


def test_phrases_match_across_any_whitespace() -> None:
    assert _section(_article("The Prime\n  Minister speaks"), RULES) == POLITICS


def test_keywords_with_punctuation_are_matched_literally() -> None:
    assert _section(_article("Why C++ still matters"), RULES) == WORLD
    assert _section(_article("Why C still matters"), RULES) == 1


def test_the_first_matching_rule_wins() -> None:
    assert _section(_article("Election and football"), RULES) == POLITICS


def test_rules_without_keywords_match_nothing() -> None:
    assert _section(_article("Anything"), [SectionRule(POLITICS, ("", "  "))]) == 1


def test_tags_come_out_normalised_and_deduplicated() -> None:
    (classified,) = classify([_article(tags=(" Local  news", "local news", "Sea"))],
                             section_id=None, rules=[])
    assert classified.tags == ("Local news", "Sea")


def test_classify_keeps_order_and_everything_else() -> None:
    articles = [_article("one"), _article("Election two")]
    classified = classify(articles, section_id=5, rules=RULES)
    assert [a.title for a in classified] == ["one", "Election two"]
    assert [a.section_id for a in classified] == [5, POLITICS]


def test_tag_slug_is_what_the_store_keys_tags_on() -> None:
    assert tag_slug("  Machine Learning ") == tag_slug("machine-learning") == "machine-learning"
