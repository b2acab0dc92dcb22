"""srcset read as browsers read it: a comma ends a candidate only after its URL."""

from __future__ import annotations

import pytest

from hopper.srcset import Candidate, rewrite_srcset, srcset_candidates

CLOUDINARY = "https://res.cloudinary.com/d/image/upload/w_300,h_200/s.jpg"


def test_a_comma_inside_a_url_does_not_split_it() -> None:
    assert srcset_candidates(f"{CLOUDINARY} 300w, https://i.example/a.jpg?w=6,h=4 600w") == [
        Candidate(CLOUDINARY, ("300w",)), Candidate("https://i.example/a.jpg?w=6,h=4", ("600w",))]


def test_a_data_url_is_one_candidate() -> None:
    assert srcset_candidates("data:image/gif;base64,R0lG 1x, /b.jpg 2x") == [
        Candidate("data:image/gif;base64,R0lG", ("1x",)), Candidate("/b.jpg", ("2x",))]


@pytest.mark.parametrize(("value", "expected"), [
    ("a.jpg", [Candidate("a.jpg", ())]),
    ("a.jpg, b.jpg 2x", [Candidate("a.jpg", ()), Candidate("b.jpg", ("2x",))]),
    ("a.jpg 1x,b.jpg 2x", [Candidate("a.jpg", ("1x",)), Candidate("b.jpg", ("2x",))]),
    (" ,, a.jpg\t100w\n, b.jpg  200w ,", [Candidate("a.jpg", ("100w",)),
                                          Candidate("b.jpg", ("200w",))]),
    ("a.jpg 100w 50h, b.jpg", [Candidate("a.jpg", ("100w", "50h")), Candidate("b.jpg", ())]),
    ("a.jpg (x, y) 1x, b.jpg", [Candidate("a.jpg", ("(x, y)", "1x")), Candidate("b.jpg", ())]),
    ("", []),
    (" , ", []),
])
def test_the_standards_tokenizer(value: str, expected: list[Candidate]) -> None:
    assert srcset_candidates(value) == expected


def test_rewriting_keeps_descriptors_and_drops_refused_urls() -> None:
    def only_https(url: str) -> str | None:
        return url.upper() if url.startswith("https:") else None

    assert rewrite_srcset(f"data:x;base64,AA 1x, {CLOUDINARY} 2x", only_https) == \
        f"{CLOUDINARY.upper()} 2x"
    assert rewrite_srcset("data:x 1x", only_https) == ""
