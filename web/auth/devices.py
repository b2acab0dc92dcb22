"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies").

The per-account sign-in limit stops password guessing, but counted alone it would also
refuse the owner: anyone could keep an admin locked out by failing on purpose. So a
successful sign-in leaves a signed `hopper_device` cookie naming the account, and sign-in
attempts that carry a genuine one for the address they try are counted on that device's
own budget. Junk attempts from anywhere else spend the shared, untrusted budget only.
The cookie names the account by its id, so it keeps counting after the owner moves the
account to a new address (that is when junk aimed at the new one would lock them out).

That own budget is a privilege earned with the password, so it lasts only as long as the
password does: the cookie names the password hash's fingerprint, and a reset, a change or
a deleted account (ids are never reused) leaves every cookie issued
before on the shared budget — whoever signed in with a stolen password keeps no guesses of
the new one. Signing out does not void it: surviving the sign-out is what keeps the owner's
next sign-in out of the lockout.
"""

from __future__ import annotations

import hmac
import secrets

from flask import current_app, request
from werkzeug.wrappers import Response

from models import users
from models.users import User
from web.auth import tokens
from web.extensions import db_session

COOKIE_NAME = "hopper_device"
DEVICE = tokens.Purpose("hopper.device", 180 * 24 * 3600)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def remember_device(response: Response, user: User) -> None:
    """Mark this browser as one `user` has signed in from with their current password."""
    value = tokens.make_token(_secret(), DEVICE, {
        "u": user.id,
        "p": tokens.password_fingerprint(user.password_hash),
        "n": secrets.token_urlsafe(12)})
    response.set_cookie(COOKIE_NAME, value, max_age=DEVICE.max_age_s, path="/",
                        httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def device_id(email: str) -> str | None:
    """The id of this browser's device cookie when it is genuine, names the account at
    `email` and was issued under that account's current password."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    payload = tokens.read_token(_secret(), DEVICE, raw)
    if payload is None:
        return None
    nonce, password = payload.get("n"), payload.get("p")
    if not (isinstance(nonce, str) and isinstance(password, str)):
        return None
    user = users.by_email(db_session(), email)
    if user is None or payload.get("u") != user.id or not hmac.compare_digest(
            password.encode(), tokens.password_fingerprint(user.password_hash).encode()):
        return None
    return nonce
