"""Saved real article pages: tests/data/articles/<name>.html.gz with the text a reader
should get, <name>.expected.txt (see that folder's README for where they come from).

Quality is measured as the article-extraction-benchmark does it: precision, recall and F1
over the words of the extracted text against the expected text (each word counted as
often as it occurs)."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ARTICLES = Path(__file__).resolve().parents[2] / "data" / "articles"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SavedPage:
    name: str
    url: str

    @property
    def html(self) -> bytes:
        return gzip.decompress((ARTICLES / f"{self.name}.html.gz").read_bytes())

    @property
    def expected_text(self) -> str:
        return (ARTICLES / f"{self.name}.expected.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def saved_pages() -> list[SavedPage]:
    index = json.loads((ARTICLES / "pages.json").read_text(encoding="utf-8"))
    return [SavedPage(item["name"], item["url"]) for item in index]


def quality(extracted: str, expected: str) -> Quality:
    got = Counter(word.lower() for word in _WORD.findall(extracted))
    want = Counter(word.lower() for word in _WORD.findall(expected))
    common = sum((got & want).values())
    return Quality(common / sum(got.values()) if got else 0.0,
                   common / sum(want.values()) if want else 0.0)
