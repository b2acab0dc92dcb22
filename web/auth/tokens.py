"""Signed, expiring, single-use tokens for e-mailed links.

Each purpose has its own salt, so a token made for one can never be used for another.
Single use comes from the payload: it names state the link itself changes (the password
hash's fingerprint for a reset, the address for a verification or an e-mail change), so
once the link has done its work its token no longer matches and is refused. A link that
hands the account to an address also names the state that must void it: a reset names
the address it was sent to, an e-mail change the account's session secret (replaced on
sign-out, password change or reset, and suspension). Payloads are signed, not encrypted,
so secrets and addresses travel only as fingerprints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age_s: int


VERIFY_EMAIL = Purpose("hopper.verify-email", 48 * 3600)
CHANGE_EMAIL = Purpose("hopper.change-email", 48 * 3600)
RESET_PASSWORD = Purpose("hopper.reset-password", 3600)


def serializer(secret_key: str, purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=purpose.salt)


def make_token(secret_key: str, purpose: Purpose, payload: dict[str, Any]) -> str:
    return str(serializer(secret_key, purpose).dumps(payload))


def read_token(secret_key: str, purpose: Purpose, token: str) -> dict[str, Any] | None:
    """The payload of a genuine, unexpired token for this purpose, else None."""
    try:
        payload = serializer(secret_key, purpose).loads(token, max_age=purpose.max_age_s)
    except BadSignature:   # also SignatureExpired, a subclass
        return None
    return payload if isinstance(payload, dict) else None


def fingerprint(value: str) -> str:
    """Changes whenever `value` does; reveals nothing usable about it."""
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does."""
    return fingerprint(password_hash)
