"""Classify: which section an article belongs to, and its tags in normal form.

The source's section (from OPML categories or the admin) is the default; a section's
keyword rules move an article there when its title or summary names a keyword (whole
words, any case). Rules are tried in the order given; the first match wins.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from workers.ingest.parsing.normalise import normalise_tags, tag_slug
from workers.ingest.records import CleanArticle

__all__ = ["SectionRule", "classify", "tag_slug"]


@dataclass(frozen=True, slots=True)
class SectionRule:
    section_id: int
    keywords: tuple[str, ...]


def classify(articles: Sequence[CleanArticle], *, section_id: int | None,
             rules: Sequence[SectionRule]) -> list[CleanArticle]:
    return [_classified(article, _section_for(article, section_id, rules),
                        normalise_tags(article.tags))
            for article in articles]


def _classified(article: CleanArticle, section_id: int | None,
                tags: tuple[str, ...]) -> CleanArticle:
    """The article in `section_id` with `tags`; the article itself when it already is
    (every article of a source without a section whose tags are already normal), not a
    copy: dataclasses.replace copies each of its fields in Python."""
    if section_id == article.section_id and tags == article.tags:
        return article
    return dataclasses.replace(article, section_id=section_id, tags=tags)


def _section_for(article: CleanArticle, default: int | None,
                 rules: Sequence[SectionRule]) -> int | None:
    for rule in rules:
        pattern = keyword_pattern(tuple(rule.keywords))
        if pattern is not None and (pattern.search(article.title)
                                    or pattern.search(article.summary)):
            return rule.section_id
    return default


@lru_cache(maxsize=512)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for a rule: any keyword as whole words ("art" does not match "start"),
    case-insensitive, any run of whitespace between the words of a phrase."""
    alternatives = [r"\s+".join(re.escape(word) for word in keyword.split())
                    for keyword in keywords if keyword.strip()]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
