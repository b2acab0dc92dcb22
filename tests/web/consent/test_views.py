"""Recording cookie choices: proof kept, cookie set, withdrawal effective at once."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import select

from models import consent as consent_records
from models.base import utcnow
from models.consent import ConsentRecord
from models.db import session_scope
from web.consent.choices import COOKIE_NAME

SAME_SITE = {"Origin": "http://localhost"}


def choose(client, action: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post("/consent", data={"action": action, "next": "/section/world", **fields},
                       headers=SAME_SITE)


def cookie_of(response) -> dict:  # type: ignore[no-untyped-def, type-arg]
    header = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith(COOKIE_NAME + "="))
    return json.loads(unquote(header.split(";", 1)[0].split("=", 1)[1]))


def records(database) -> list[ConsentRecord]:  # type: ignore[no-untyped-def]
    with session_scope(database) as session:
        return list(session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))


def test_accept_all_sets_the_cookie_records_proof_and_goes_back(client, database,
                                                                settings) -> None:
    response = choose(client, "accept_all")
    assert response.status_code == 303 and response.headers["Location"] == "/section/world"
    cookie = cookie_of(response)
    assert cookie["v"] == settings.policy_version
    assert cookie["c"] == {"preferences": True, "analytics": True, "media": True}
    header = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in header and "Max-Age=15724800" in header
    [record] = records(database)
    assert record.consent_id == cookie["id"] and record.action == "accept_all"
    assert record.policy_version == settings.policy_version and record.user_id is None
    assert record.choices == cookie["c"]


def test_customise_without_javascript_leads_to_the_settings_page(client, database) -> None:
    response = choose(client, "customise")
    assert response.status_code == 303
    assert response.headers["Location"] == "/consent?next=/section/world"
    assert records(database) == []


def test_custom_choices_grant_only_what_was_ticked(client, database) -> None:
    cookie = cookie_of(choose(client, "custom", media="on"))
    assert cookie["c"] == {"preferences": False, "analytics": False, "media": True}


def test_withdrawing_keeps_the_id_records_it_and_removes_other_cookies(client, database,
                                                                       login_as,
                                                                       make_user) -> None:
    user = make_user()
    login_as(user)
    first = cookie_of(choose(client, "accept_all"))
    client.set_cookie("_ga", "GA1.1.123")   # e.g. left by an analytics script
    response = choose(client, "reject_all")
    assert cookie_of(response)["id"] == first["id"]
    deleted = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("_ga=")]
    assert deleted and "Max-Age=0" in deleted[0]
    assert not any(c.startswith("session=;") for c in response.headers.getlist("Set-Cookie"))
    assert [(r.action, r.user_id) for r in records(database)] == \
        [("accept_all", user.id), ("withdraw", user.id)]


@pytest.mark.parametrize("headers", [{}, {"Origin": "https://evil.example"},
                                     {"Referer": "https://evil.example/page"},
                                     {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
                                     {"Origin": "null"}])
def test_a_choice_sent_from_another_site_is_refused(client, database, headers) -> None:
    response = client.post("/consent", data={"action": "accept_all"}, headers=headers)
    assert response.status_code == 400
    assert COOKIE_NAME not in response.headers.get("Set-Cookie", "")
    assert records(database) == []


def test_the_banner_shows_until_answered_and_again_when_the_policy_changes(
        client, database, settings) -> None:
    assert "data-consent-banner" in client.get("/").get_data(as_text=True)
    choose(client, "reject_all")
    assert "data-consent-banner" not in client.get("/").get_data(as_text=True)
    from web import create_app
    newer = create_app({"TESTING": True},
                       settings=dataclasses.replace(settings, policy_version="2099-01-01"))
    newer_client = newer.test_client()
    newer_client.set_cookie(COOKIE_NAME, client.get_cookie(COOKIE_NAME).value)
    assert "data-consent-banner" in newer_client.get("/").get_data(as_text=True)
    newer.extensions["hopper_database"].dispose()


def test_the_banner_offers_three_equal_buttons(client, database) -> None:
    html = client.get("/").get_data(as_text=True)
    buttons = [line.strip() for line in html.splitlines() if 'class="consent-button"' in line]
    assert [b.split(">")[1].split("<")[0] for b in buttons] == \
        ["Accept all", "Reject all", "Customise"]
    assert {b.split('class="')[1].split('"')[0] for b in buttons} == {"consent-button"}


def test_the_settings_page_ticks_nothing_before_an_answer(client, database) -> None:
    html = client.get("/consent").get_data(as_text=True)
    assert html.count(" checked") == 1   # strictly necessary, disabled
    assert "data-consent-banner" not in html


def test_statistics_count_actions_and_granted_categories_per_day(database) -> None:
    with session_scope(database) as session:
        for action, media in (("accept_all", True), ("reject_all", False), ("custom", True)):
            consent_records.record(session, consent_id="x" * 20, action=action,
                                   choices={"media": media}, policy_version="v1", user_id=None)
    with session_scope(database) as session:
        [today] = consent_records.statistics(session, since=utcnow() - timedelta(days=1))
        assert today.total == 3
        assert today.actions == {"accept_all": 1, "reject_all": 1, "custom": 1}
        assert today.granted["media"] == 2 and today.granted["analytics"] == 0
        assert consent_records.statistics(session, since=utcnow() + timedelta(days=1)) == []


def test_withdrawal_also_expires_cookies_set_for_the_whole_domain(client, database) -> None:
    client.set_cookie("_ga", "GA1.1.123", domain="news.example")
    response = client.post("/consent", base_url="http://news.example",
                           headers={"Origin": "http://news.example"},
                           data={"action": "reject_all"})
    expired = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("_ga=")]
    assert len(expired) == 2 and all("Max-Age=0" in c for c in expired)
    assert any("Domain=news.example" in c for c in expired)


def test_choices_from_one_address_are_rate_limited_and_a_refused_one_records_nothing(
        client, database) -> None:
    """Every choice writes a proof record: a script sending the right Origin must not be
    able to grow the table at will."""
    statuses = [choose(client, "reject_all").status_code for _ in range(21)]
    assert statuses == [303] * 20 + [429]
    assert len(records(database)) == 20


def test_an_ipv6_client_rotating_addresses_in_its_64_shares_one_budget(client,
                                                                       database) -> None:
    """An IPv6 client holds a whole /64: each address in it is the same client."""
    statuses = [client.post("/consent", data={"action": "reject_all"}, headers=SAME_SITE,
                            environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n + 100:x}"}
                            ).status_code for n in range(21)]
    assert statuses == [303] * 20 + [429]
    other_network = client.post("/consent", data={"action": "reject_all"}, headers=SAME_SITE,
                                environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert other_network.status_code == 303


@pytest.mark.parametrize("forged_id", ["a" * 64 + "\n", "abcdefghijklmnop\n"])
def test_a_consent_id_with_a_trailing_newline_is_not_taken_over(live_server, database,
                                                                 settings,
                                                                 forged_id: str) -> None:
    """`$` also matches before a final newline: a cookie id ending in one passed as
    well-formed, and was written to the proof record — on PostgreSQL a 65-character id
    overflowed its column (a 500 for every choice of that visitor). It is unreadable, so
    the choice starts a fresh id."""
    raw = quote(json.dumps({"v": settings.policy_version, "id": forged_id, "c": {}}), safe="")
    request = urllib.request.Request(
        live_server.url + "/consent", data=b"action=accept_all", method="POST",
        headers={"Cookie": f"{COOKIE_NAME}={raw}", "Sec-Fetch-Site": "same-origin",
                 "Content-Type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=10)
        status, set_cookies = response.status, response.headers.get_all("Set-Cookie")
    except urllib.error.HTTPError as answer:
        status, set_cookies = answer.code, answer.headers.get_all("Set-Cookie")
    assert status == 303
    cookie = next(c for c in set_cookies or [] if c.startswith(COOKIE_NAME + "="))
    new_id = json.loads(unquote(cookie.split(";", 1)[0].split("=", 1)[1]))["id"]
    stored = [record.consent_id for record in records(database)]
    assert stored == [new_id]
    assert "\n" not in new_id and new_id != forged_id.strip()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
