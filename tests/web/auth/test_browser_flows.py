"""The account life cycle in Chromium, following the links the real SMTP server receives:
register → confirm → sign in → sign out → forgotten password → sign in with the new one."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EMAIL = "grace@example.test"
FIRST_PASSWORD = "a long unusual passphrase"
SECOND_PASSWORD = "another unusual passphrase"


def sign_in(page, base: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login?next=/account")
    page.fill("#email", EMAIL)
    page.fill("#password", password)
    page.click("button:text('Sign in')")


def test_register_confirm_sign_in_reset_and_sign_in_again(chromium, live_server,
                                                          mailbox) -> None:
    base = live_server.url
    context = chromium.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(base + "/register")
    page.click("button:text('Reject all')")          # answer the cookie banner first
    page.fill("#email", EMAIL)
    page.fill("#password", FIRST_PASSWORD)
    page.fill("#password_again", FIRST_PASSWORD)
    page.check("#accept_terms")
    page.click("button:text('Create account')")
    assert page.locator("h1").inner_text() == "Check your inbox"

    page.goto(mailbox.link_in(EMAIL, subject_has="Confirm"))
    assert page.locator("h1").inner_text() == "Your address is confirmed"

    sign_in(page, base, FIRST_PASSWORD)
    assert page.url == base + "/account"
    assert EMAIL in page.locator("main").inner_text()
    assert "not confirmed" not in page.locator("main").inner_text()
    page.click("button:text('Sign out')")
    page.goto(base + "/account")
    assert page.url.startswith(base + "/login")

    page.goto(base + "/password/forgot")
    page.fill("#email", EMAIL)
    page.click("button:text('Send the link')")
    assert page.locator("h1").inner_text() == "Check your inbox"
    reset_link = mailbox.link_in(EMAIL, subject_has="new password")
    page.goto(reset_link)
    page.fill("#password", SECOND_PASSWORD)
    page.fill("#password_again", SECOND_PASSWORD)
    page.click("button:text('Save the new password')")
    assert page.locator("h1").inner_text() == "Your password is changed"
    page.goto(base + "/account")
    assert page.url.startswith(base + "/login")      # no automatic sign-in after a reset

    page.goto(reset_link)                             # the link worked once
    assert page.locator("h1").inner_text() == "This link no longer works"

    sign_in(page, base, FIRST_PASSWORD)
    assert "do not match" in page.locator("main").inner_text()
    sign_in(page, base, SECOND_PASSWORD)
    assert page.url == base + "/account"
    assert not [line for line in console if "Content Security Policy" in line]
    context.close()
