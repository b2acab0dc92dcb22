"""Rate limits for the forms attackers hammer: sign-in, registration, password reset.
Counted in Redis (web.extensions.limiter), per client IP and per account — the
normalised e-mail in the form — so neither many addresses from one IP nor one address
from many IPs gets unlimited guesses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import request

from models.users import normalise_email
from web.extensions import limiter

F = TypeVar("F", bound=Callable[..., object])

LOGIN_PER_IP = "30 per minute; 300 per day"
LOGIN_PER_ACCOUNT = "10 per 15 minutes"
REGISTER_PER_IP = "10 per hour"
REGISTER_PER_ACCOUNT = "3 per hour"
RESET_PER_IP = "10 per hour"
RESET_PER_ACCOUNT = "3 per hour"
MAIL_PER_IP = "10 per hour"   # other forms that send e-mail (resend link, change address)


def account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def limit_posts(per_ip: str, per_account: str | None = None) -> Callable[[F], F]:
    """Apply both limits to a view's POSTs (GETs of the form are never counted)."""

    def decorate(view: F) -> F:
        limited = limiter.limit(per_ip, methods=["POST"])(view)
        if per_account is not None:
            limited = limiter.limit(per_account, key_func=account_key, methods=["POST"])(limited)
        return limited   # type: ignore[return-value]

    return decorate
