"""Golden feeds: tests/data/feeds/<name>.<ext> paired with <name>.expected.json.

An expected file says how the feed is served ("given": url, headers, now) and either the
ParseError it must raise ("error": the start of the reason) or the feed and the articles
that matter (keys, titles, URLs, dates, image, video, tags, summary prefix).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

FEEDS = Path(__file__).resolve().parents[2] / "data" / "feeds"


@dataclass(frozen=True)
class GoldenFeed:
    name: str
    path: Path
    url: str
    headers: dict[str, str]
    now: datetime
    expected: dict[str, Any]

    @property
    def content(self) -> bytes:
        return self.path.read_bytes()

    @property
    def is_xml(self) -> bool:
        return self.path.suffix == ".xml"


def golden_feeds() -> list[GoldenFeed]:
    feeds = []
    for expected_path in sorted(FEEDS.glob("*.expected.json")):
        name = expected_path.name.removesuffix(".expected.json")
        source = next(p for p in FEEDS.glob(f"{name}.*") if not p.name.endswith(".json")
                      or p.name == f"{name}.json")
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        given = expected["given"]
        feeds.append(GoldenFeed(name, source, given["url"], given["headers"],
                                datetime.fromisoformat(given["now"]), expected))
    return feeds


def article_facts(article: Any) -> dict[str, Any]:
    """The fields an expected file pins, from a CleanArticle."""
    return {
        "entry_key": article.entry_key,
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "published_at": article.published_at.isoformat(),
        "updated_at": article.updated_at.isoformat() if article.updated_at else None,
        "image_url": article.image_url,
        "image_alt": article.image_alt,
        "image_caption": article.image_caption,
        "video_url": article.video_url,
        "video_embed_url": article.video_embed_url,
        "is_video": article.is_video,
        "tags": list(article.tags),
    }
