"""Shortening and reading time: no reader ever sees a word cut in half."""

from __future__ import annotations

from hopper.text import is_opening_of, reading_minutes, shorten


def test_shorten_cuts_at_a_word_boundary_and_adds_an_ellipsis() -> None:
    text = "The committee approved the budget after a long, difficult night of talks"
    short = shorten(text, 40)
    assert short == "The committee approved the budget after…"
    assert len(short) <= 41
    assert shorten("Short enough", 40) == "Short enough"


def test_shorten_drops_dangling_punctuation_and_squeezes_whitespace() -> None:
    assert shorten("One,  two,\nthree, four", 12) == "One, two…"
    assert shorten("https://example.com/a/very/long/address", 10) == "https://ex…"


def test_reading_time_only_for_full_text() -> None:
    assert reading_minutes("<p>" + "word " * 100 + "</p>") == 0          # a teaser
    assert reading_minutes("<p>" + "word " * 690 + "</p>") == 3


def test_a_summary_that_repeats_the_opening_is_recognised() -> None:
    body = "Scientists measured 200 glaciers. They found the ice thinner than forecast."
    assert is_opening_of("Scientists measured 200 glaciers.", body)
    assert is_opening_of("Scientists measured 200 glaciers. They found the…", body)
    assert is_opening_of("Scientists measured 200 glaciers. They fo", body)
    assert not is_opening_of("Ice is melting faster than models said.", body)
