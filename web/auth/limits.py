"""Rate limits for the forms attackers hammer: sign-in, registration, password reset
(and the site's contact form). Counted in Redis (web.extensions.limiter), per client
(web/proxy.py: the address, or an IPv6 client's /64) and per account — the normalised
e-mail in the form, or the signed-in user for forms that ask for the current password
again — so neither many addresses from one IP nor one address from many IPs gets
unlimited guesses.

Forms that mail an address (registration, reset) must not let a stranger lock its owner
out, so their per-account budget is the address AND the client, and counts only forms
that were accepted (`accept_form`). What stops a crowd of clients from mail-bombing one
address is a cap on the mails actually sent to it (`may_mail`; also for the confirmation
of an address change, which any account may aim at any address, and for verification
links sent again, which share the sign-up mails' count): past it the form
answers as usual and sends nothing. The owner then already holds working links (every reset
mail holds one; a sign-up mail either confirms or points to the reset page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import redis
from flask import Response, g, request
from flask_login import current_user
from limits import parse

from models.users import normalise_email
from web.auth import devices
from web.extensions import limiter
from web.proxy import client_network

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., object])

LOGIN_PER_IP = "30 per minute; 300 per day"
LOGIN_PER_ACCOUNT = "10 per 15 minutes"
REGISTER_PER_IP = "10 per hour"
REGISTER_PER_ACCOUNT = "3 per hour"   # per address and client, accepted forms only
RESET_PER_IP = "10 per hour"
RESET_PER_ACCOUNT = "3 per hour"      # per address and client, accepted forms only
MAILS_PER_ADDRESS = "3 per hour"      # per form: sign-up, reset, address-change mails
MAIL_PER_IP = "10 per hour"   # other forms that send e-mail (resend link, change address)
CONTACT_PER_IP = "5 per hour"
CONTACT_PER_ACCOUNT = "5 per hour"
# Guesses of the current password by a signed-in session (a stolen cookie): as for sign-in.
CURRENT_PASSWORD_PER_ACCOUNT = LOGIN_PER_ACCOUNT


def account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def account_and_client_key() -> str:
    """One address as asked for by one client: strangers elsewhere never spend it."""
    return f"{account_key()}|client:{client_network(request.remote_addr)}"


def sender_key() -> str:
    """The contact form: the signed-in reader, else the sender address typed in."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return account_key()


def accept_form() -> None:
    """The view's form passed validation: `only_accepted` limits count this request."""
    g.is_form_accepted = True


def only_accepted(_response: Response) -> bool:
    return bool(g.get("is_form_accepted"))


def may_mail(kind: str, address: str) -> bool:
    """Count one `kind` mail to `address`; False once it had MAILS_PER_ADDRESS of them.
    A Redis outage lets the mail go, as the limiter itself does (RATELIMIT_SWALLOW_ERRORS)."""
    try:
        is_allowed = limiter.limiter.hit(parse(MAILS_PER_ADDRESS), "mail-to", kind,
                                         normalise_email(address))
    except redis.RedisError as error:
        log.warning("Redis unavailable, mail cap for %s skipped: %s", kind, error)
        return True
    if not is_allowed:
        log.info("%s mail not sent: the address had %s", kind, MAILS_PER_ADDRESS)
    return is_allowed


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
                key: Callable[[], str] = account_key,
                deduct_when: Callable[[Response], bool] | None = None) -> Callable[[F], F]:
    """Apply both limits to a view's POSTs (GETs of the form are never counted); the
    per-account one is counted only when `deduct_when(response)` is true, if given."""

    def decorate(view: F) -> F:
        limited = limiter.limit(per_ip, methods=["POST"])(view)
        if per_account is not None:
            limited = limiter.limit(per_account, key_func=key, methods=["POST"],
                                    deduct_when=deduct_when)(limited)
        return limited   # type: ignore[return-value]

    return decorate
