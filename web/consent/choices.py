"""The reader's consent choices, read from the `hopper_consent` cookie.

One function answers "may I load embedded media / analytics / preferences?" for every
area. The cookie's value is JSON `{"v": policy_version, "id": ..., "c": {"preferences":
bool, "analytics": bool, "media": bool}}`, percent-encoded or base64url-encoded. Silence is
refusal (EDPB 05/2020): anything absent or unreadable means every choice is False.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote

from flask import Request

COOKIE_NAME = "hopper_consent"
OPTIONAL_PURPOSES = ("preferences", "analytics", "media")


def current_choices(request: Request) -> dict[str, bool]:
    choices = {"necessary": False} | {purpose: False for purpose in OPTIONAL_PURPOSES}
    record = _decode(request.cookies.get(COOKIE_NAME, ""))
    given = record.get("c") if isinstance(record, dict) else None
    if not isinstance(given, dict):
        return choices
    choices["necessary"] = True   # a recorded choice: the banner has been answered
    for purpose in OPTIONAL_PURPOSES:
        choices[purpose] = given.get(purpose) is True
    return choices


def cache_key(request: Request) -> str:
    """What of the consent state changes a page (the banner, held-back embeds), for the
    page cache: "ask" before any answer, else e.g. "answered:p0a0m1"."""
    record = _decode(request.cookies.get(COOKIE_NAME, ""))
    if not isinstance(record, dict) or not isinstance(record.get("c"), dict):
        return "ask"
    choices = current_choices(request)
    return "answered:" + "".join(f"{purpose[0]}{int(choices[purpose])}"
                                 for purpose in OPTIONAL_PURPOSES)


def _decode(raw: str) -> Any:
    if not raw:
        return None
    try:
        return json.loads(unquote(raw))
    except ValueError:
        pass
    try:
        padded = raw + "=" * (-len(raw) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        return None
