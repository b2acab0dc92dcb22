"""Rate limits for the forms attackers hammer: sign-in, registration, password reset
(and the site's contact form). Counted in Redis (web.extensions.limiter), per client
address (web/proxy.py) and per account — the normalised e-mail in the form, or the
signed-in user for forms that ask for the current password again — so neither many
addresses from one IP nor one address from many IPs gets unlimited guesses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import request
from flask_login import current_user

from models.users import normalise_email
from web.auth import devices
from web.extensions import limiter

F = TypeVar("F", bound=Callable[..., object])

LOGIN_PER_IP = "30 per minute; 300 per day"
LOGIN_PER_ACCOUNT = "10 per 15 minutes"
REGISTER_PER_IP = "10 per hour"
REGISTER_PER_ACCOUNT = "3 per hour"
RESET_PER_IP = "10 per hour"
RESET_PER_ACCOUNT = "3 per hour"
MAIL_PER_IP = "10 per hour"   # other forms that send e-mail (resend link, change address)
CONTACT_PER_IP = "5 per hour"
CONTACT_PER_ACCOUNT = "5 per hour"
# Guesses of the current password by a signed-in session (a stolen cookie): as for sign-in.
CURRENT_PASSWORD_PER_ACCOUNT = LOGIN_PER_ACCOUNT


def account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def sign_in_key() -> str:
    """The account's budget, or this device's own when the browser signed in to that
    account before (web/auth/devices.py): junk attempts cannot lock the owner out."""
    email = request.form.get("email", "")
    device = devices.device_id(email)
    return f"device:{device}" if device else account_key()


def signed_in_account_key() -> str:
    """Forms of the signed-in reader that ask for the current password again."""
    return f"user:{current_user.id}" if current_user.is_authenticated else "user:anonymous"


def limit_posts(per_ip: str, per_account: str | None = None, *,
                key: Callable[[], str] = account_key) -> Callable[[F], F]:
    """Apply both limits to a view's POSTs (GETs of the form are never counted)."""

    def decorate(view: F) -> F:
        limited = limiter.limit(per_ip, methods=["POST"])(view)
        if per_account is not None:
            limited = limiter.limit(per_account, key_func=key, methods=["POST"])(limited)
        return limited   # type: ignore[return-value]

    return decorate
