"""The e-mails the account flows send, with absolute links built on HOPPER_BASE_URL."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    after_this_request,
    current_app,
    has_request_context,
    render_template,
    url_for,
)

from models.users import User
from web.auth import tokens
from web.auth.outbox import queue_mail
from web.extensions import settings


def absolute_url(endpoint: str, **values: Any) -> str:
    return settings().base_url + url_for(endpoint, **values)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def verification_link(user: User) -> str:
    token = tokens.make_token(_secret(), tokens.VERIFY_EMAIL, {"u": user.id, "e": user.email})
    return absolute_url("auth.verify_email", token=token)


def reset_link(user: User | None) -> str:
    """A link for a known user; for an unknown address the same work yields a dead link.
    It names the address it is mailed to: once the account moves to another address, a
    link left in the old mailbox is refused."""
    payload = {"u": user.id if user else 0,
               "p": tokens.password_fingerprint(user.password_hash if user else ""),
               "e": tokens.fingerprint(user.email if user else "")}
    return absolute_url("auth.reset_password",
                        token=tokens.make_token(_secret(), tokens.RESET_PASSWORD, payload))


def email_change_link(user: User, new_email: str) -> str:
    """Names the session secret: signing out, changing or resetting the password, or a
    suspension voids the link (someone who requested it with a stolen password must not
    keep it past the owner's reaction)."""
    payload = {"u": user.id, "old": user.email, "new": new_email,
               "s": tokens.fingerprint(user.session_secret)}
    return absolute_url("account.confirm_email",
                        token=tokens.make_token(_secret(), tokens.CHANGE_EMAIL, payload))


def compose(template: str, **context: object) -> tuple[str, str]:
    """(subject, body): the template's first paragraph is the subject."""
    subject, _, body = render_template(template, **context).partition("\n\n")
    return subject.strip(), body


def send(to: str, template: str, **context: object) -> None:
    deliver(to, compose(template, **context))


def deliver(to: str, message: tuple[str, str]) -> None:
    """Queue the message for the outbox's background thread, once the response has been
    sent: a form that mails only when an account exists ("forgot password", a sign-up
    with a taken address) then answers in the same time either way. Handing the message
    over while the response was still being made let the sending thread's work show in
    it (about 2 ms more, measured from outside)."""
    subject, body = message
    mail_settings = settings()

    def send_after(response: Response) -> Response:
        response.call_on_close(lambda: queue_mail(mail_settings, to=to, subject=subject,
                                                  body=body))
        return response

    if has_request_context():
        after_this_request(send_after)
    else:
        queue_mail(mail_settings, to=to, subject=subject, body=body)
