"""choose_bodies: the element a feed declares to be the content is the content."""

from __future__ import annotations

import pytest

from workers.ingest.parsing.bodies import choose_bodies, has_substance, is_cut_from

TEASER = "<p>" + "A longer teaser that only sets the scene for the video below. " * 4 + "</p>"
VIDEO = '<p><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe></p><p>Watch.</p>'


def test_a_short_content_beats_a_longer_summary_which_stays_the_summary() -> None:
    assert choose_bodies(TEASER, [VIDEO]) == (TEASER, VIDEO)
    assert choose_bodies("<p>Summary <b>plain</b> and long</p>", ["z"]) == (
        "<p>Summary <b>plain</b> and long</p>", "z")


@pytest.mark.parametrize("content", [
    '<p><img src="a.jpg"></p>', "<video src='v.mp4'></video>", "<audio src=a.mp3></audio>",
    "<iframe src='https://player.vimeo.com/video/123'></iframe>",
])
def test_media_alone_is_content(content: str) -> None:
    assert choose_bodies(TEASER, [content]) == (TEASER, content)


@pytest.mark.parametrize("empty", ["", "  ", "<p></p>", "<p>&nbsp;</p>\n<div> </div>"])
def test_an_empty_content_gives_way_to_the_summary(empty: str) -> None:
    assert choose_bodies(TEASER, [empty]) == ("", TEASER)


def test_the_longest_of_several_declared_contents_is_the_content() -> None:
    assert choose_bodies("", ["<p>short</p>", "<p>the longer one</p>"]) == (
        "", "<p>the longer one</p>")


@pytest.mark.parametrize("cut", [
    "<p>The committee approved the budget after a long</p>",
    "<p>The committee approved the budget after a long […]</p>",
    "<p>The committee approved the budget after a lo...</p>",
    "<p>The committee approved the budget after a long… <a href='/x'>Read more</a></p>",
])
def test_a_content_that_only_cuts_the_summary_short_gives_way_to_it(cut: str) -> None:
    whole = ("<p>The committee approved the budget after a long, difficult night of "
             "talks.</p><p>Ministers then left.</p>")
    assert is_cut_from(cut, whole)
    assert choose_bodies(whole, [cut]) == ("", whole)


def test_a_content_with_media_the_summary_lacks_is_no_teaser() -> None:
    whole = "<p>Watch the committee approve the budget after a long night.</p>"
    cut = '<p>Watch the committee</p><iframe src="https://youtu.be/dQw4w9WgXcQ"></iframe>'
    assert choose_bodies(whole, [cut]) == (whole, cut)


def test_a_content_that_says_something_else_is_not_cut_from_the_summary() -> None:
    assert not is_cut_from("<p>Other words</p>", "<p>The whole article, much longer</p>")
    assert not is_cut_from("<p>&nbsp;</p>", "<p>The whole article</p>")   # no text: no cut
    assert not has_substance("<p> <br> </p>")
