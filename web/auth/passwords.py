"""Password hashing (argon2id) and the password policy.

Parameters follow OWASP's Password Storage Cheat Sheet minimum for argon2id (19 MiB of
memory, 2 iterations, 1 lane). A stored hash made with other parameters is re-hashed the
next time its owner signs in (`needs_rehash`), so raising them here upgrades every account.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_ITERATIONS = 2
ARGON2_LANES = 1
MIN_LENGTH = 10
MAX_LENGTH = 1024   # hashing megabytes of "password" is a denial of service, not security

# The 20,000 most common passwords, the list Django ships (BSD-3-Clause, compiled by
# Royce Williams from breach corpora), one lower-case password per line.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")

HASHER = PasswordHasher(time_cost=ARGON2_ITERATIONS, memory_cost=ARGON2_MEMORY_KIB,
                        parallelism=ARGON2_LANES, type=Type.ID)

# Verified against when the e-mail is unknown, so a failed sign-in takes as long either way.
_DUMMY_HASH = HASHER.hash("hopper: no such account, the same work all the same")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nobody(password: str) -> None:
    """Spend the time a real verification takes, for an address that has no account."""
    verify_password(_DUMMY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


MIN_DISTINCT = 3


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why this password may not be used, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"A password needs at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"A password may have at most {MAX_LENGTH} characters."
    if len(set(password.strip())) < MIN_DISTINCT:
        # Ten spaces, "aaaaaaaaaa", "ababababab" (NIST SP 800-63B: repetitive characters).
        return "A password of one or two characters repeated is guessed at once; choose another."
    if password.lower() in common_passwords():
        return "This password is one of the most common ones; choose another."
    local_part = email.partition("@")[0].lower()
    if local_part and len(local_part) >= 4 and local_part in password.lower():
        return "The password must not contain your e-mail address."
    return None
