"""The visitor's cookie choices, kept in the first-party `hopper_consent` cookie.

The value is compact JSON, percent-encoded so it is a valid cookie value:
`{"v": policy_version, "id": consent_id, "c": {"preferences": bool, "analytics": bool,
"media": bool}}`. Silence is refusal (EDPB 05/2020): a missing, unreadable or outdated
cookie (another policy version) grants nothing but the strictly necessary.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from flask import Request, current_app, request

from models.consent import CATEGORIES

COOKIE_NAME = "hopper_consent"
MAX_AGE_S = 182 * 24 * 3600   # about six months, then the visitor is asked again (CNIL)
# Our own cookie is under 200 characters: anything much longer was not written by us.
MAX_COOKIE_CHARS = 1024
# fullmatch, not `^…$`: `$` also matches before a trailing newline.
CONSENT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Consent:
    consent_id: str
    policy_version: str
    granted: dict[str, bool]


def policy_version() -> str:
    return str(current_app.config["HOPPER_SETTINGS"].policy_version)


def read_cookie(raw: str | None) -> Consent | None:
    """The consent a cookie value carries, whatever its version, or None if unreadable."""
    if not raw or len(raw) > MAX_COOKIE_CHARS:
        return None
    try:
        data = json.loads(unquote(raw))
    except (ValueError, RecursionError):   # `[[[[…` nests deeper than the parser goes
        return None
    if not isinstance(data, dict):
        return None
    version, consent_id, given = data.get("v"), data.get("id"), data.get("c")
    if not (isinstance(version, str) and isinstance(consent_id, str)
            and CONSENT_ID.fullmatch(consent_id) and isinstance(given, dict)):
        return None
    return Consent(consent_id=consent_id, policy_version=version,
                   granted={category: given.get(category) is True for category in CATEGORIES})


def cookie_value(consent: Consent) -> str:
    compact = json.dumps({"v": consent.policy_version, "id": consent.consent_id,
                          "c": consent.granted}, separators=(",", ":"))
    return quote(compact, safe="")


def current_consent(request: Request) -> Consent | None:
    """The visitor's answer to the current policy, or None when they must be asked."""
    consent = read_cookie(request.cookies.get(COOKIE_NAME))
    if consent is None or consent.policy_version != policy_version():
        return None
    return consent


def current_choices(request: Request) -> dict[str, bool]:
    """What the visitor allows: necessary always; the rest only if granted for this policy."""
    consent = current_consent(request)
    granted = consent.granted if consent else {}
    return {"necessary": True} | {category: granted.get(category, False)
                                   for category in CATEGORIES}


def has_answered(request: Request) -> bool:
    return current_consent(request) is not None


def cache_key(request: Request) -> str:
    """What of the consent state changes a page (the banner, held-back embeds): for page
    caches, e.g. "ask" or "answered:p0a0m1"."""
    consent = current_consent(request)
    if consent is None:
        return "ask"
    return "answered:" + "".join(f"{category[0]}{int(consent.granted[category])}"
                                 for category in CATEGORIES)


def is_banner_shown() -> bool:
    """The banner asks on every page until the visitor answers (not on the choices page,
    which asks in full)."""
    return request.endpoint != "consent.choices_page" and not has_answered(request)
