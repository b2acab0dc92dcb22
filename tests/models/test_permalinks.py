"""An article's address on this site is /article/<id>-<slug>, readable whatever the title."""

from __future__ import annotations

from types import SimpleNamespace

from models.permalinks import MAX_SLUG_CHARS, article_path, slugify


def test_slug_is_lower_case_ascii_words_joined_by_hyphens() -> None:
    assert slugify("Café Society: Élan & <b>Éclat</b>!") == "cafe-society-elan-b-eclat-b"


def test_titles_without_latin_letters_keep_their_own_words() -> None:
    assert slugify("Новости дня") == "новости-дня"


def test_slug_of_a_title_without_words_is_article() -> None:
    assert slugify("🦊🔥") == "article"
    assert slugify("") == "article"


def test_slug_is_capped_without_a_trailing_hyphen() -> None:
    slug = slugify("word " * 100)
    assert len(slug) <= MAX_SLUG_CHARS
    assert not slug.endswith("-")


def test_article_path_starts_with_the_id_and_percent_encodes_the_slug() -> None:
    assert article_path(SimpleNamespace(id=42, title="Rail strike ends")) \
        == "/article/42-rail-strike-ends"  # type: ignore[arg-type]
    assert article_path(SimpleNamespace(id=7, title="Новости")) \
        == "/article/7-%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"  # type: ignore[arg-type]
