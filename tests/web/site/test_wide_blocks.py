"""Article tables and code blocks scroll sideways in a focusable, named box."""

from __future__ import annotations

from web.site.wide_blocks import box_wide_blocks

BOX = '<div class="scroll-box" role="region" tabindex="0" aria-label="{} (scrolls sideways)">'


def test_each_outermost_table_and_pre_is_boxed_once() -> None:
    body = ("<p>Intro</p><table><tr><td><table><tr><td>1</td></tr></table></td></tr></table>"
            "<pre><code>x = 1</code></pre>")
    assert str(box_wide_blocks(body)) == (
        "<p>Intro</p>" + BOX.format("Table")
        + "<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table></div>"
        + BOX.format("Code") + "<pre><code>x = 1</code></pre></div>")


def test_tags_inside_attribute_values_are_left_alone() -> None:
    body = '<p><a href="https://example.org/" title="<pre> x=&quot;1">link</a></p>'
    assert str(box_wide_blocks(body)) == body


def test_an_unclosed_block_is_boxed_to_the_end_of_the_body() -> None:
    assert str(box_wide_blocks("<PRE>code")) == BOX.format("Code") + "<PRE>code</div>"


def test_a_body_without_wide_blocks_is_unchanged() -> None:
    assert str(box_wide_blocks("<p>Plain</p>")) == "<p>Plain</p>"
