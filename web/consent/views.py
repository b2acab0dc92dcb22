"""`GET /consent` shows the cookie choices; `POST /consent` records them.

The POST carries no session-bound CSRF token on purpose: rendering one would give every
anonymous visitor a session cookie on their first page and make anonymous pages
uncacheable. It is protected instead by the browser's own provenance headers (OWASP CSRF
Prevention Cheat Sheet, "Fetch Metadata" and "Verifying origin with standard headers"):
a POST that does not come from this site's own pages is refused with 400.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Request,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from models import consent as consent_records
from models.consent import CATEGORIES
from web.auth import devices
from web.auth.redirects import safe_next
from web.consent.choices import (
    COOKIE_NAME,
    MAX_AGE_S,
    Consent,
    cookie_value,
    current_choices,
    current_consent,
    policy_version,
    read_cookie,
)
from web.extensions import csrf, db_session, limiter, settings

bp = Blueprint("consent", __name__)

BUTTON_ACTIONS = frozenset({"accept_all", "reject_all", "custom"})
# Each choice writes a proof record kept for HOPPER_CONSENT_RETENTION_DAYS, and the
# provenance check stops browsers, not scripts: per client address, a visitor changes
# their mind a few times, an office behind one address has many visitors, a script
# thousands of choices a minute. A refused choice leaves the banner up (silence is
# refusal: nothing optional loads).
CHOICES_PER_IP = "20 per minute; 2000 per day"


@bp.get("/consent")
def choices_page() -> str:
    return render_template("consent/settings.html", choices=current_choices(request),
                           consent=current_consent(request),
                           next=safe_next(request.args.get("next"), url_for("site.home")))


@bp.post("/consent")
@csrf.exempt
@limiter.limit(CHOICES_PER_IP)
def save() -> Response:
    if not is_from_this_site(request):
        abort(400, "This form must be sent from this site.")
    target = safe_next(request.form.get("next"), url_for("site.home"))
    button = request.form.get("action", "")
    if button == "customise":   # the banner's third button, without JavaScript
        return redirect(url_for("consent.choices_page", next=target), 303)
    if button not in BUTTON_ACTIONS:
        abort(400, "Unknown choice.")
    granted = granted_by(button, request.form)
    previous = read_cookie(request.cookies.get(COOKIE_NAME))
    consent = Consent(consent_id=previous.consent_id if previous else secrets.token_urlsafe(16),
                      policy_version=policy_version(), granted=granted)
    action = "withdraw" if _withdraws(previous, granted) else button
    db = db_session()
    consent_records.record(db, consent_id=consent.consent_id, choices=granted,
                           policy_version=consent.policy_version, action=action,
                           user_id=current_user.id if current_user.is_authenticated else None)
    db.commit()
    response: Response
    if request.accept_mimetypes.best == "application/json":
        response = jsonify({"choices": {"necessary": True} | granted, "action": action})
    else:
        response = redirect(target, 303)
    _store(response, consent)
    return response


def granted_by(button: str, form: dict[str, str]) -> dict[str, bool]:
    if button == "accept_all":
        return dict.fromkeys(CATEGORIES, True)
    if button == "reject_all":
        return dict.fromkeys(CATEGORIES, False)
    return {category: form.get(category) == "on" for category in CATEGORIES}


def _withdraws(previous: Consent | None, granted: dict[str, bool]) -> bool:
    return previous is not None and any(
        was and not granted[category] for category, was in previous.granted.items())


def _store(response: Response, consent: Consent) -> None:
    response.set_cookie(COOKIE_NAME, cookie_value(consent), max_age=MAX_AGE_S, path="/",
                        samesite="Lax", secure=settings().base_url.startswith("https://"),
                        httponly=False)   # readable, so scripts can honour it without a reload
    # Withdrawal takes effect at once: every cookie that is not strictly necessary goes,
    # whether it was set for this host only or for the whole domain (as analytics do).
    domain = _cookie_domain(request.host)
    for name in request.cookies:
        if name not in strictly_necessary_cookies():
            response.delete_cookie(name, path="/")
            if domain:
                response.delete_cookie(name, path="/", domain=domain)


def _cookie_domain(host: str) -> str | None:
    """The host as a cookie Domain, or None where browsers allow none (IPs, localhost)."""
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if "." not in hostname or hostname.replace(".", "").isdigit() or hostname.startswith("["):
        return None
    return hostname


def strictly_necessary_cookies() -> frozenset[str]:
    """Cookies set without consent (ePrivacy Art. 5(3)): the session (sign-in and CSRF), the
    remember-me cookie the reader asked for, the device cookie that keeps the owner's
    sign-in open under attack (security), and the record of the consent choice itself."""
    config = current_app.config
    return frozenset({config.get("SESSION_COOKIE_NAME", "session"),
                      config.get("REMEMBER_COOKIE_NAME", "remember_token"), COOKIE_NAME,
                      devices.COOKIE_NAME})


def is_from_this_site(req: Request) -> bool:
    fetch_site = req.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    source = req.headers.get("Origin") or req.headers.get("Referer")
    if not source or source == "null":
        return False
    origin = _origin(source)
    return origin in {_origin(req.host_url), _origin(settings().base_url)}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
