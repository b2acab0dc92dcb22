"""Live search in a real browser (Debian's chromium): typing shows at most five results
after the debounce, the arrow keys move through them, Enter opens one, Escape closes the
list, nonsense says "No results", and "View all results" leads to /search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from models.permalinks import article_path

pytestmark = pytest.mark.browser

@pytest.fixture
def browser(chromium: Browser) -> Browser:
    """The run's one chromium (tests/web/conftest.py)."""
    return chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that fails the test on any console error (a CSP violation included)."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "404" not in message.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def elections(rows) -> list:  # type: ignore[no-untyped-def]
    return [rows.article(f"Election night {number}", age=timedelta(hours=number))
            for number in range(7)]


def test_typing_shows_at_most_five_results_after_the_debounce(
        page: Page, live_server: str, elections) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url)
            if "/search/live" in request.url else None)
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("electi", delay=30)
    options = page.locator("#search-box-listbox [role=option]")
    expect(options).to_have_count(6)    # five results and "View all results"
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options.nth(0)).to_contain_text("Election night 0")
    expect(options.nth(0).locator("mark")).to_have_text("Election")
    expect(options.nth(5)).to_have_text("View all results")
    assert len(requests) == 1     # one request for six keystrokes: debounced


def test_arrow_keys_move_and_enter_opens_the_article(
        page: Page, live_server: str, elections) -> None:
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("election")
    options = page.locator("#search-box-listbox [role=option]")
    expect(options).to_have_count(6)
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    expect(box).to_have_attribute("aria-activedescendant", "search-box-option-1")
    box.press("Enter")
    page.wait_for_url(live_server + article_path(elections[1]))


def test_escape_closes_the_list_and_enter_then_submits_the_form(
        page: Page, live_server: str, elections) -> None:
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("election")
    expect(page.locator("#search-box-listbox")).to_be_visible()
    box.press("Escape")
    expect(page.locator("#search-box-listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")
    page.wait_for_url(live_server + "/search?q=election")
    expect(page.locator(".search-result")).to_have_count(7)


def test_nonsense_says_no_results(page: Page, live_server: str, elections) -> None:
    page.goto(live_server + "/")
    page.get_by_role("combobox", name="Search articles").fill("qwxzzy")
    expect(page.locator("#search-box-listbox")).to_have_text("No results")


def test_view_all_results_goes_to_the_search_page(
        page: Page, live_server: str, elections) -> None:
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("night")
    page.get_by_role("option", name="View all results").click()
    page.wait_for_url(live_server + "/search?q=night")
    expect(page.locator(".search-result")).to_have_count(7)


def test_without_javascript_the_box_is_a_plain_form(browser: Browser, live_server: str,
                                                     elections) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("election")
    box.press("Enter")
    page.wait_for_url(live_server + "/search?q=election")
    expect(page.locator(".search-result")).to_have_count(7)
    context.close()


def test_open_live_search_passes_axe_checks(page: Page, live_server: str, elections) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("election")
    expect(page.locator("#search-box-listbox [role=option]")).to_have_count(6)
    box.press("ArrowDown")
    results = Axe().run(page, context="form.search-box")
    assert results.violations_count == 0, results.generate_report()


def test_typing_a_tags_name_suggests_the_tag_and_enter_opens_it(
        page: Page, live_server: str, rows) -> None:
    nato = rows.tag("nato", "NATO")
    rows.article("Summit opens in Vilnius", tags=[nato])
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("nat", delay=30)
    topic = page.locator("#search-box-listbox .search-box-topic")
    expect(topic).to_have_text("Tag NATO")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(live_server + "/tag/nato")


def _contrast(foreground: list[float], background: list[float]) -> float:
    """WCAG 2.2 contrast ratio of two sRGB colours given as 0–255 channels."""
    def luminance(rgb: list[float]) -> float:
        linear = [(c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055)
                   ** 2.4) for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The text colour as drawn: its own colour, blended into the background by its opacity.
SHOWN_COLOURS = """(option) => {
    const channels = (colour) => colour.match(/[\\d.]+/g).map(Number);
    const background = channels(getComputedStyle(option).backgroundColor);
    return [...option.querySelectorAll('.search-box-title, .search-box-source')].map((text) => {
        const opacity = Number(getComputedStyle(text).opacity);
        const colour = channels(getComputedStyle(text).color).slice(0, 3)
            .map((c, i) => c * opacity + background[i] * (1 - opacity));
        return [colour, background.slice(0, 3)];
    });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_chosen_suggestion_is_readable_in_either_colour_scheme(
        browser: Browser, live_server: str, elections, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("election")
    expect(page.locator("#search-box-listbox [role=option]")).to_have_count(6)
    box.press("ArrowDown")
    chosen = page.locator("#search-box-listbox [aria-selected=true]")
    expect(chosen).to_have_count(1)
    ratios = [_contrast(colour, background)
              for colour, background in chosen.evaluate(SHOWN_COLOURS)]
    context.close()
    assert len(ratios) == 2 and min(ratios) >= 4.5, ratios


def test_the_count_is_plural_only_when_it_should_be_and_matches_are_not_underlined(
        page: Page, live_server: str, rows) -> None:
    rows.article("Volcano erupts")
    rows.article("Glacier melts")
    rows.article("Glacier grows")
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    status = page.locator("#search-box-status")
    box.fill("volc")
    expect(status).to_have_text("1 result; use the arrow keys to choose.")
    mark = page.locator("#search-box-listbox mark").first
    assert mark.evaluate("(mark) => getComputedStyle(mark).textDecorationLine") == "none"
    box.fill("glac")
    expect(status).to_have_text("2 results; use the arrow keys to choose.")


PHONE = {"width": 390, "height": 844}
GERMAN = ("Gericht kippt die Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnung"
          " von 2035")
ARABIC = "مجلس الوزراء يوافق على خطة 2035 للنقل العام"
LAYOUT = """() => {
    const listbox = document.querySelector('#search-box-listbox');
    const box = listbox.getBoundingClientRect();
    return {page: document.documentElement.scrollWidth, screen: innerWidth,
            right: box.right,
            wider: [...listbox.querySelectorAll('.search-box-title, .search-box-source')]
                .filter((text) => text.scrollWidth > text.clientWidth + 1
                        || text.getBoundingClientRect().right > box.right + 1)
                .map((text) => text.textContent),
            directions: [...listbox.querySelectorAll('.search-box-title')]
                .map((title) => [title.textContent, getComputedStyle(title).direction])};
}"""


def test_on_a_phone_long_words_and_outlet_names_wrap_and_headlines_keep_their_direction(
        browser: Browser, live_server: str, rows) -> None:
    """A feed's 80-letter compound word or a spaceless outlet name ran out of the popup and
    widened the page (a phone then zooms out), and an Arabic headline was laid out
    left to right, as the site's own headlines (dir="auto") never are."""
    outlet = rows.source("TheVeryLongOutletNameWithoutAnySpacesWhatsoever.example.org")
    rows.article(GERMAN, source=outlet)
    rows.article(ARABIC, source=outlet)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("combobox", name="Search articles").fill("2035")
    expect(page.locator("#search-box-listbox [role=option]")).to_have_count(3)
    layout = page.evaluate(LAYOUT)
    context.close()
    assert layout["page"] <= layout["screen"] and layout["right"] <= layout["screen"]
    assert layout["wider"] == []
    assert sorted(layout["directions"]) == sorted([[GERMAN, "ltr"], [ARABIC, "rtl"]])
