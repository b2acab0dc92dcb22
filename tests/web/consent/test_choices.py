"""Reading the consent cookie: silence, garbage and outdated answers grant nothing."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from web.consent.choices import COOKIE_NAME, Consent, cookie_value, current_choices, read_cookie

NOTHING = {"necessary": True, "preferences": False, "analytics": False, "media": False}


def choices_for(app, cookie: str | None) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"} if cookie is not None else {}
    with app.test_request_context("/", headers=headers):
        from flask import request
        return current_choices(request)


def cookie_for(version: str, **granted: bool) -> str:
    return quote(json.dumps({"v": version, "id": "abcdefghijklmnop1234",
                             "c": {"preferences": False, "analytics": False, "media": False}
                             | granted}), safe="")


def test_no_cookie_grants_only_the_strictly_necessary(app) -> None:
    assert choices_for(app, None) == NOTHING


@pytest.mark.parametrize("raw", ["", "garbage", "%7B", quote('["media"]'),
                                 quote('{"v": "x", "id": "short", "c": {"media": true}}'),
                                 quote('{"v": 1, "id": "abcdefghijklmnop1234", "c": {}}')])
def test_unreadable_cookies_grant_nothing(app, raw: str) -> None:
    assert choices_for(app, raw) == NOTHING


def test_a_current_answer_grants_what_it_says(app, settings) -> None:
    assert choices_for(app, cookie_for(settings.policy_version, media=True)) == \
        NOTHING | {"media": True}


def test_an_answer_to_an_older_policy_grants_nothing(app) -> None:
    assert choices_for(app, cookie_for("2001-01-01", media=True, analytics=True)) == NOTHING


def test_only_true_counts_as_yes(app, settings) -> None:
    raw = quote(json.dumps({"v": settings.policy_version, "id": "abcdefghijklmnop1234",
                            "c": {"media": "yes", "analytics": 1, "preferences": True}}))
    assert choices_for(app, raw) == NOTHING | {"preferences": True}


def test_the_cookie_value_round_trips_as_compact_json() -> None:
    consent = Consent("abcdefghijklmnop1234", "2026-11-24",
                      {"preferences": True, "analytics": False, "media": True})
    value = cookie_value(consent)
    assert ";" not in value and "," not in value and " " not in value
    assert read_cookie(value) == consent
