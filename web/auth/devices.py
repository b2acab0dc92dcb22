"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies").

The per-account sign-in limit stops password guessing, but counted alone it would also
refuse the owner: anyone could keep an admin locked out by failing on purpose. So a
successful sign-in leaves a signed `hopper_device` cookie naming the account, and sign-in
attempts that carry a genuine one for the address they try are counted on that device's
own budget. Junk attempts from anywhere else spend the shared, untrusted budget only.
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from werkzeug.wrappers import Response

from models.users import normalise_email
from web.auth import tokens

COOKIE_NAME = "hopper_device"
DEVICE = tokens.Purpose("hopper.device", 180 * 24 * 3600)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def remember_device(response: Response, email: str) -> None:
    """Mark this browser as one `email` has signed in from."""
    value = tokens.make_token(_secret(), DEVICE, {"e": normalise_email(email),
                                                  "n": secrets.token_urlsafe(12)})
    response.set_cookie(COOKIE_NAME, value, max_age=DEVICE.max_age_s, path="/",
                        httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def device_id(email: str) -> str | None:
    """The id of this browser's device cookie when it is genuine and names `email`."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    payload = tokens.read_token(_secret(), DEVICE, raw)
    if payload is None or payload.get("e") != normalise_email(email):
        return None
    nonce = payload.get("n")
    return nonce if isinstance(nonce, str) else None
