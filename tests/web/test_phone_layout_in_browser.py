"""What a reader on a small phone sees (320 × 568, the iPhone SE class, and a Pixel 7 at
412 × 915): article tables and code keep their words whole and scroll in their own box,
the cookie banner leaves the first headline in view, the section menu shows that it
scrolls, and metadata, bylines and tap targets hold together."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from models.db import Database
from tests.article_rows import ArticleRows

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMALL = {"width": 320, "height": 568}
PIXEL = {"width": 412, "height": 915}
PHONES = pytest.mark.parametrize("viewport", [SMALL, PIXEL], ids=["320", "pixel"])

FIGURES = ("<p>Table of figures</p><table><thead><tr><th>Year</th><th>Passengers</th>"
           "<th>Change</th><th>Revenue in euros</th><th>Comment</th></tr></thead><tbody>"
           "<tr><td>2024</td><td>1,234,567</td><td>+12%</td><td>98,765,432.10</td>"
           "<td>Busiest year since the bridge opened</td></tr></tbody></table>"
           "<pre><code>this_is_a_very_long_line_of_code = compute(the_first_argument,"
           " the_second_argument)</code></pre>")


@pytest.fixture
def phone(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A touch phone's page at `request.param` (a viewport), before any consent choice."""
    context = chromium.new_context(viewport=request.param, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def broken_words(page: Any, selector: str) -> dict[str, int]:
    """Text → number of lines, for each element matching `selector` that holds one word
    (or number) and yet takes more than one line."""
    return page.eval_on_selector_all(selector, """(elements) => {
        const wrapped = {};
        for (const element of elements) {
            if (/\\s/.test(element.textContent.trim())) continue;
            const range = document.createRange();
            range.selectNodeContents(element);
            const tops = new Set([...range.getClientRects()]
                .filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
            if (tops.size > 1) wrapped[element.textContent.trim()] = tops.size;
        }
        return wrapped;
    }""")


@pytest.mark.parametrize("phone", [SMALL, PIXEL], ids=["320", "pixel"], indirect=True)
def test_article_tables_and_code_keep_words_whole_and_scroll_in_their_own_box(
        database: Database, live_server: str, phone: Any) -> None:
    rows = ArticleRows(database)
    article = rows.article("Harbour bridge figures", content_html=FIGURES)
    phone.goto(f"{live_server}/article/{article.id}-{article.slug}")
    assert broken_words(phone, ".article-body :is(td, th)") == {}
    assert phone.evaluate("document.documentElement.scrollWidth") <= \
        phone.viewport_size["width"]
    for kind, label in (("table", "Table"), ("pre", "Code")):
        box = phone.locator(f".article-body .scroll-box:has(> {kind})")
        expect(box).to_have_attribute("role", "region")
        expect(box).to_have_attribute("aria-label", f"{label} (scrolls sideways)")
        assert box.evaluate("(box) => box.scrollWidth > box.clientWidth"), kind
        box.focus()          # by keyboard: Tab reaches it (tabindex=0), arrows scroll it
        expect(box).to_be_focused()
        box.press("ArrowRight")
        box.page.wait_for_function("(box) => box.scrollLeft > 0", arg=box.element_handle(),
                                   timeout=2000)
