"""Admin › Sections: create, rename, order, parent and keyword rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.sections import Section

pytestmark = pytest.mark.usefixtures("no_csrf")


def _sections(database) -> dict[str, Section]:
    with database.reader() as session:
        return {section.slug: section for section in session.scalars(select(Section))}


def _create(client, name: str, slug: str, parent_id: int = 0, position: int = 0,
            keywords: str = ""):  # type: ignore[no-untyped-def]
    return client.post("/admin/sections", data={"name": name, "slug": slug,
                                                 "parent_id": str(parent_id),
                                                 "position": str(position),
                                                 "keywords": keywords})


def test_create_a_section_under_a_parent_with_keyword_rules(client, admin, database) -> None:
    assert _create(client, "News", "news").status_code == 302
    news = _sections(database)["news"]
    assert _create(client, "Politics", "politics", news.id, 2,
                   "election\r\n  parliament \n\n").status_code == 302
    politics = _sections(database)["politics"]
    assert politics.parent_id == news.id and politics.position == 2
    assert politics.keyword_list == ["election", "parliament"]


def test_rename_and_reorder(client, admin, database) -> None:
    _create(client, "World", "world")
    world = _sections(database)["world"]
    response = client.post(f"/admin/sections/{world.id}", data={
        "name": "World news", "slug": "world", "parent_id": "0", "position": "-1",
        "keywords": ""})
    assert response.status_code == 302
    world = _sections(database)["world"]
    assert world.name == "World news" and world.position == -1


def test_a_section_cannot_become_its_own_ancestor(client, admin, database) -> None:
    _create(client, "News", "news")
    news = _sections(database)["news"]
    _create(client, "Politics", "politics", news.id)
    politics = _sections(database)["politics"]
    for parent in (news.id, politics.id):
        response = client.post(f"/admin/sections/{news.id}", data={
            "name": "News", "slug": "news", "parent_id": str(parent), "position": "0"})
        assert response.status_code == 400
    assert _sections(database)["news"].parent_id is None


def test_slugs_are_validated_and_unique(client, admin, database) -> None:
    assert _create(client, "Bad", "Not A Slug").status_code == 400
    assert _create(client, "Video", "video").status_code == 302
    assert _create(client, "Videos", "video").status_code == 409
    # `$` also matches before a final newline: "video\n" passed as a second, different
    # slug that reads the same (its links end in %0A).
    assert _create(client, "Videos", "video\n").status_code == 400
    assert list(_sections(database)) == ["video"]
