"""Cookie consent in Chromium: nothing before an answer; accept, reject, customise,
withdraw; the same without JavaScript."""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models.consent import ConsentRecord
from models.db import session_scope
from web.consent.choices import COOKIE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow]

def consent_cookie(context) -> dict:  # type: ignore[no-untyped-def, type-arg]
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    assert cookie["sameSite"] == "Lax"
    return json.loads(unquote(cookie["value"]))


def actions(database) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope(database) as session:
        return list(session.scalars(select(ConsentRecord.action).order_by(ConsentRecord.id)))


def test_before_any_answer_no_cookie_is_set_and_no_request_leaves_the_site(
        chromium, live_server) -> None:
    context = chromium.new_context()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    for path in ("/", "/consent", "/no-such-page"):
        page.goto(live_server.url + path)
        page.mouse.wheel(0, 2000)                      # scrolling is not consent
    assert context.cookies() == []
    for path in ("/login", "/register", "/password/forgot"):
        page.goto(live_server.url + path)
        assert page.locator("[data-consent-banner]").count() == 1
    # A form's CSRF token lives in the session: strictly necessary, HttpOnly, nothing else.
    [session] = context.cookies()
    assert session["name"] == "session" and session["httpOnly"]
    assert requested and all(urlsplit(url).hostname == "127.0.0.1" for url in requested)
    context.close()


def test_the_three_choices_look_alike(chromium, live_server) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    buttons = page.locator("[data-consent-banner] button")
    assert buttons.all_inner_texts() == ["Accept all", "Reject all", "Customise"]
    looks = [button.evaluate(
        "b => { const s = getComputedStyle(b); const r = b.getBoundingClientRect();"
        " return [s.color, s.backgroundColor, s.fontSize, s.fontWeight, s.borderTopWidth,"
        " s.borderTopColor, Math.round(r.width), Math.round(r.height)]; }")
        for button in buttons.all()]
    assert looks[0] == looks[1] == looks[2]
    context.close()


def test_accept_all_with_javascript_hides_the_banner_without_a_reload(chromium, live_server,
                                                                     database) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.evaluate("window.notReloaded = true")
    page.click("button:text('Accept all')")
    page.locator("[data-consent-banner]").wait_for(state="hidden")
    assert page.evaluate("window.notReloaded") is True
    assert consent_cookie(context)["c"] == {"preferences": True, "analytics": True, "media": True}
    assert actions(database) == ["accept_all"]
    page.goto(live_server.url + "/")
    assert page.locator("[data-consent-banner]").count() == 0
    context.close()


def test_reject_all_keeps_every_category_off(chromium, live_server, database) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.click("button:text('Reject all')")
    page.locator("[data-consent-banner]").wait_for(state="hidden")
    cookie = consent_cookie(context)
    assert cookie["c"] == {"preferences": False, "analytics": False, "media": False}
    assert [c["name"] for c in context.cookies()] == [COOKIE_NAME]
    assert actions(database) == ["reject_all"]
    context.close()


def test_customise_grants_only_the_ticked_category(chromium, live_server, database) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/password/forgot")
    page.click("button:text('Customise')")
    page.wait_for_url(lambda url: urlsplit(url).path == "/consent")
    expect(page.locator("input[type=checkbox]:checked")).to_have_count(1)   # necessary only
    page.check("input[name=media]")
    page.click("button:text('Save my choices')")
    page.wait_for_url(lambda url: urlsplit(url).path == "/password/forgot")
    assert consent_cookie(context)["c"] == {"preferences": False, "analytics": False,
                                            "media": True}
    assert actions(database) == ["custom"]
    context.close()


def test_withdrawing_removes_non_essential_cookies_at_once(chromium, live_server,
                                                           database) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.click("button:text('Accept all')")
    page.locator("[data-consent-banner]").wait_for(state="hidden")
    first_id = consent_cookie(context)["id"]
    context.add_cookies([{"name": "_pk_id", "value": "analytics", "url": live_server.url}])
    page.goto(live_server.url + "/consent")
    assert page.locator("input[name=media]").is_checked()
    page.click("button:text('Reject all')")
    names = {c["name"] for c in context.cookies()}
    assert names == {COOKIE_NAME}
    cookie = consent_cookie(context)
    assert cookie["id"] == first_id and not any(cookie["c"].values())
    assert actions(database) == ["accept_all", "withdraw"]
    context.close()


def test_without_javascript_the_banner_is_a_plain_form(chromium, live_server,
                                                       database) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/register")
    page.click("button:text('Accept all')")
    page.wait_for_url(lambda url: urlsplit(url).path == "/register")
    assert page.locator("[data-consent-banner]").count() == 0
    assert consent_cookie(context)["c"]["media"] is True
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/consent")
    page.uncheck("input[name=media]")
    page.uncheck("input[name=analytics]")
    page.click("button:text('Save my choices')")
    assert consent_cookie(context)["c"] == {"preferences": True, "analytics": False,
                                            "media": False}
    assert actions(database) == ["accept_all", "withdraw"]
    context.close()


def test_after_a_choice_by_keyboard_focus_goes_back_not_to_the_body(chromium,
                                                                     live_server) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator("button:text('Accept all')").focus()
    page.keyboard.press("Enter")
    page.locator("[data-consent-banner]").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "main"

    context.clear_cookies()
    page.goto(live_server.url + "/")
    page.get_by_role("combobox", name="Search articles").focus()
    page.locator("button:text('Reject all')").focus()
    page.keyboard.press("Enter")
    page.locator("[data-consent-banner]").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "search-box-q"
    context.close()
