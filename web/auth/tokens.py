"""Signed, expiring, single-use tokens for e-mailed links.

Each purpose has its own salt, so a token made for one can never be used for another.
Single use comes from the payload: it names state the link itself changes (the password
hash's fingerprint for a reset, the address for a verification or an e-mail change), so
once the link has done its work its token no longer matches and is refused.
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


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does; reveals nothing usable about the hash."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]
