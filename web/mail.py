"""Outgoing e-mail: real SMTP when MAIL_URL is set (smtp://user:pass@host:port?starttls=1),
the log otherwise, so a fresh install can still follow its own verification links."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from hopper.settings import Settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 15


def send_mail(settings: Settings, *, to: str, subject: str, body: str,
              reply_to: str | None = None) -> None:
    message = EmailMessage()
    message["From"] = f"{settings.site_name} <no-reply@{_sender_domain(settings)}>"
    message["To"] = to
    message["Subject"] = subject
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    if not settings.mail_url:
        log.info("mail (MAIL_URL unset, not sent)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return
    url = urlsplit(settings.mail_url)
    options = parse_qs(url.query)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "127.0.0.1", url.port or (465 if url.scheme == "smtps" else 25),
                    timeout=SMTP_TIMEOUT_S) as smtp:
        if options.get("starttls", ["0"])[0] in {"1", "true", "yes"}:
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        # The envelope names the one recipient given, whatever a header might be read as.
        smtp.send_message(message, to_addrs=[to])


def _sender_domain(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "localhost"
