"""Plain text for readers: shortening, reading time, control and invisible characters, an
outlet's credit around its headline."""

from __future__ import annotations

import random
import re
import string
import sys

import pytest

from hopper.text import (
    for_terminal,
    is_opening_of,
    is_visible,
    may_hold,
    reading_minutes,
    shorten,
    without_controls,
    without_invisibles,
    without_outlet,
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


@pytest.mark.parametrize(("title", "outlet", "headline"), [
    # Credits before and after the headline, as outlets write them.
    ("Harbour bridge reopens to traffic after repairs - BBC News", "BBC News",
     "Harbour bridge reopens to traffic after repairs"),
    ("Reuters: Harbour bridge reopens after three weeks of repairs", "Reuters",
     "Harbour bridge reopens after three weeks of repairs"),
    ("Flooding closes the river road | The Guardian", "The Guardian",
     "Flooding closes the river road"),
    ("Bridge reopens — The Pacific Chronicle", "the pacific chronicle", "Bridge reopens"),
    ("PACIFIC-CHRONICLE | Bridge reopens", "Pacific Chronicle", "Bridge reopens"),
    ("人民网：大桥重新通车", "人民网", "大桥重新通车"),
    ("Pacific Chronicle—Harbour bridge reopens", "Pacific Chronicle",
     "Harbour bridge reopens"),
    ("Harbour bridge reopens · Pacific Chronicle.", "Pacific Chronicle",
     "Harbour bridge reopens"),
    # A credit that is part of the source's name, or holds it with more words of a name.
    ("Harbour bridge reopens - BBC News", "BBC News - World", "Harbour bridge reopens"),
    ("BBC News - World: Harbour bridge reopens", "BBC News - World",
     "Harbour bridge reopens"),
    ("Harbour bridge reopens - BBC News", "BBC", "Harbour bridge reopens"),
    ("Stocks end slightly lower - WBOC-TV 16, Delmarvas News  ...", "WBOC TV 16",
     "Stocks end slightly lower"),
    # A name that is part of the sentence, or the whole title, stays.
    ("Pacific Chronicle wins press award", "Pacific Chronicle",
     "Pacific Chronicle wins press award"),
    ("Reuters-backed study: coffee is fine", "Reuters", "Reuters-backed study: coffee is fine"),
    ("Pacific Chronicle:", "Pacific Chronicle", "Pacific Chronicle:"),
    ("Why I quit: Pacific Chronicle", "Pacific Chronicle", "Why I quit: Pacific Chronicle"),
    # A longer label is the headline's, not a credit.
    ("Harbour Bridge Reopens - BBC News", "BBC News", "Harbour Bridge Reopens"),
    ("Markets fall - Reuters poll of analysts", "Reuters",
     "Markets fall - Reuters poll of analysts"),
    ("Bridge reopens", "", "Bridge reopens"),
])
def test_an_outlets_credit_around_its_headline_goes(title: str, outlet: str,
                                                    headline: str) -> None:
    assert without_outlet(title, outlet) == headline


def test_may_hold_never_says_no_where_a_case_insensitive_search_finds_the_word() -> None:
    """`may_hold` spares a case-insensitive search only when that search cannot match: every
    letter outside ASCII that such a search matches with an ASCII one (found by trying
    every code point here), in texts of random ASCII, Latin and Turkish letters."""
    folding = {chr(point) for point in range(128, sys.maxunicode + 1)
               if re.fullmatch("[a-z]", chr(point), re.IGNORECASE)}
    assert all(may_hold(f"x{char}x", "zzz") for char in folding)
    alphabet = string.ascii_letters + "<>=\"' -" + "éÉßİıſKkÅåøØ"
    words = ("data-", "width", "lazy", "kit")
    generator = random.Random(7)
    said_no = 0
    for _ in range(20_000):
        text = "".join(generator.choices(alphabet, k=generator.randrange(1, 12)))
        found = any(re.search(re.escape(word), text, re.IGNORECASE) for word in words)
        if not may_hold(text, *words):
            said_no += 1
            assert not found, text
    assert said_no > 10_000         # it does spare searches
