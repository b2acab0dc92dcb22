"""Plain text for readers: shortening, reading time, control and invisible characters."""

from __future__ import annotations

import pytest

from hopper.text import (
    for_terminal,
    is_opening_of,
    is_visible,
    reading_minutes,
    shorten,
    without_controls,
    without_invisibles,
)


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


@pytest.mark.parametrize(("text", "expected"), [
    ("Nice\x1b]0;pwned\x07 Feed", "Nice Feed"),                 # OSC: the window title
    ("Clip \x1b]52;c;ZXZpbA==\x1b\\board", "Clip board"),      # OSC 52: the clipboard
    ("\x1b[31mRed\x1b[0m title", "Red title"),                  # CSI: colours
    ("Bad \x00 ref", "Bad  ref"),
    ("bell\x07 del\x7f c1\x9b2J", "bell del c12J"),
    ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),           # whitespace stays
    ("\u200b\u00e9t\u00e9 \U0001f600", "\u200b\u00e9t\u00e9 \U0001f600"),
])
def test_without_controls_removes_control_characters_and_escape_sequences(
        text: str, expected: str) -> None:
    assert without_controls(text) == expected


def test_for_terminal_shows_control_characters_instead_of_obeying_them() -> None:
    assert for_terminal("Nice\x1b]0;pwned\x07 Feed\r\n\tx") == \
        "Nice\\x1b]0;pwned\\x07 Feed\\x0d  x"
    assert for_terminal("Zoë \u65e5\u672c") == "Zoë \u65e5\u672c"


@pytest.mark.parametrize(("text", "visible"), [
    ("", False), (" \xa0\n", False), ("\u200b\u200c\u200d\u2066\u00ad\ufeff", False),
    ("\u200bx", True), ("日本", True), ("\U0001f600", True),
])
def test_format_characters_alone_show_nothing(text: str, visible: bool) -> None:
    assert is_visible(text) is visible


@pytest.mark.parametrize(("text", "expected"), [
    ("Har\u00adbour reopens", "Harbour reopens"),                # soft hyphen
    ("Bre\u200bxit vote", "Brexit vote"),                       # inside a Latin word
    ("\u200bDaily\ufeff News\u200b", "Daily News"),             # edges, byte order mark
    ("Моск\u200bва", "Москва"),
    ("word\u2060joined", "wordjoined"),
    ("ภาษา\u200bไทย", "ภาษา\u200bไทย"),                          # Thai's word boundary stays
    ("Zo\u200dë \u200c", "Zo\u200dë \u200c"),                    # joiners shape scripts
    ("\u200fשלום", "\u200fשלום"),                                # bidi marks stay
])
def test_invisible_characters_that_split_words_go(text: str, expected: str) -> None:
    assert without_invisibles(text) == expected
