"""Sign-in, registration, e-mail verification, sign-out and password reset.

Anyone may sign up with someone else's address (pre-hijacking): the account then waits,
unverified, with the stranger's password. So a verification link proves the address,
but confirms it at once only in a browser that proves the password too — the one that
signed up (`SIGNED_UP_KEY`) or one signed in to the account. Anywhere else the link first
asks for a new password and signs every other session out, as a reset does.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from models import users
from models.users import User
from web.auth import devices, mails, tokens
from web.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from web.auth.limits import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_IP,
    MAIL_PER_IP,
    REGISTER_PER_ACCOUNT,
    REGISTER_PER_IP,
    RESET_PER_ACCOUNT,
    RESET_PER_IP,
    accept_form,
    account_and_client_key,
    limit_posts,
    may_mail,
    only_accepted,
    sign_in_key,
)
from web.auth.passwords import hash_password
from web.auth.redirects import safe_next
from web.auth.sessions import authenticate, end_session, start_session
from web.extensions import db_session, settings

bp = Blueprint("auth", __name__)

# The password fingerprint of the account this browser signed up for.
SIGNED_UP_KEY = "signed_up"

Page = str | Response | tuple[str, int]


@bp.after_request
def never_store(response: Response) -> Response:
    # Forms with CSRF tokens and pages reached by secret links stay out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _home() -> str:
    return url_for("site.home")


@bp.route("/login", methods=["GET", "POST"])
@limit_posts(LOGIN_PER_IP, LOGIN_PER_ACCOUNT, key=sign_in_key)
def login() -> Page:
    form = LoginForm()
    target = safe_next(request.values.get("next"), _home())
    is_refused = False
    if form.validate_on_submit():
        db = db_session()
        user = authenticate(db, form.email.data or "", form.password.data or "")
        if user is not None:
            db.commit()
            start_session(user, remember=bool(form.remember.data))
            response = redirect(target)
            devices.remember_device(response, user)
            return response
        is_refused = True
    form.next.data = target
    return render_template("auth/login.html", form=form, is_refused=is_refused), \
        401 if is_refused else 200


@bp.route("/register", methods=["GET", "POST"])
@limit_posts(REGISTER_PER_IP, REGISTER_PER_ACCOUNT, key=account_and_client_key,
             deduct_when=only_accepted)
def register() -> Page:
    if current_user.is_authenticated:   # a reader who has an account already manages it
        return redirect(url_for("account.index"))
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("auth/register.html", form=form,
                               policy_version=settings().policy_version)
    accept_form()
    email = users.normalise_email(form.email.data or "")
    is_mailed = may_mail("register", email)
    password_hash = hash_password(form.password.data or "")   # the same work in both branches
    # Set in both branches, so the cookie tells nobody whether the address had an account;
    # an existing account's password is not this hash, so it gains no one-click confirmation.
    session[SIGNED_UP_KEY] = tokens.password_fingerprint(password_hash)
    db = db_session()
    existing = users.by_email(db, email)
    if existing is None:
        try:
            user = users.create(db, email=email, password_hash=password_hash,
                                terms_version=settings().policy_version)
            db.commit()
        except IntegrityError:   # registered by a concurrent request a moment ago
            db.rollback()
            existing = users.by_email(db, email)
        else:
            if is_mailed:
                mails.send(user.email, "auth/email/verify.txt", user=user,
                           link=mails.verification_link(user))
    if existing is not None and is_mailed:
        # Same page as a new sign-up, so the form cannot tell who has an account.
        mails.send(existing.email, "auth/email/already_registered.txt",
                   login_link=mails.absolute_url("auth.login"),
                   reset_link=mails.absolute_url("auth.forgot_password"))
    return render_template("auth/check_inbox.html", email=email)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limit_posts(RESET_PER_IP)
def verify_email(token: str) -> Page:
    db = db_session()
    user = _user_to_verify(db, token)
    if user is None:
        return render_template("auth/link_invalid.html"), 400
    if _chose_the_password(user):
        users.mark_verified(user)
        db.commit()
        return render_template("auth/verified.html")
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/verify_password.html", form=form, email=user.email)
    users.replace_password_by_mail(user, hash_password(form.password.data or ""))
    db.commit()
    end_session()   # as after a reset: the reader signs in with the password just chosen
    return render_template("auth/verified.html", is_password_replaced=True)


def _user_to_verify(db: Session, token: str) -> User | None:
    payload = tokens.read_token(str(current_app.config["SECRET_KEY"]), tokens.VERIFY_EMAIL,
                                token)
    if payload is None or not isinstance(payload.get("u"), int):
        return None
    user = db.get(User, payload["u"])
    # Single use: once the address is confirmed (or changed) the link is spent.
    if user is None or user.email != payload.get("e") or user.is_verified:
        return None
    return user


def _chose_the_password(user: User) -> bool:
    """This browser signed up for `user` with its current password, or is signed in to it."""
    if current_user.is_authenticated and current_user.id == user.id:
        return True
    return hmac.compare_digest(str(session.get(SIGNED_UP_KEY, "")).encode(),
                               tokens.password_fingerprint(user.password_hash).encode())


@bp.post("/verify/resend")
@limit_posts(MAIL_PER_IP)
def resend_verification() -> Response:
    # The sign-up mail's cap, shared: anyone may sign up with a stranger's address and
    # sign in to the unverified account, so this must not mail that address at will.
    if (current_user.is_authenticated and not current_user.is_verified
            and may_mail("register", current_user.email)):
        mails.send(current_user.email, "auth/email/verify.txt", user=current_user,
                   link=mails.verification_link(current_user))
    return redirect(url_for("account.index", sent="verification"))


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        db = db_session()
        user = db.get(User, current_user.id)
        if user is not None:
            # The signed cookie cannot be recalled: a new secret voids every copy.
            users.end_every_session(user)
            db.commit()
    end_session()
    return redirect(_home())


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_posts(RESET_PER_IP, RESET_PER_ACCOUNT, key=account_and_client_key,
             deduct_when=only_accepted)
def forgot_password() -> Page:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form)
    accept_form()
    user = users.by_email(db_session(), form.email.data or "")
    # Link and message are made in both branches: the same work, the same time; only
    # handing the message to the (background) outbox differs. The mail cap is counted
    # for unknown addresses too, so its timing does not tell them apart either.
    is_mailed = may_mail("reset", form.email.data or "")
    message = mails.compose("auth/email/reset.txt", link=mails.reset_link(user))
    if user is not None and user.is_active and is_mailed:
        mails.deliver(user.email, message)
    return render_template("auth/forgot_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limit_posts(RESET_PER_IP)
def reset_password(token: str) -> Page:
    db = db_session()
    user = _user_for_reset(db, token)
    if user is None:
        return render_template("auth/link_invalid.html"), 400
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/reset.html", form=form)
    # The link was mailed to this address (its token names it), so the address is proven
    # as a verification link would prove it.
    users.replace_password_by_mail(user, hash_password(form.password.data or ""))
    db.commit()
    end_session()   # no automatic sign-in: the reader signs in with the new password
    return render_template("auth/reset_done.html")


def _user_for_reset(db: Session, token: str) -> User | None:
    payload = tokens.read_token(str(current_app.config["SECRET_KEY"]), tokens.RESET_PASSWORD,
                                token)
    if payload is None or not isinstance(payload.get("u"), int):
        return None
    user = db.get(User, payload["u"])
    # The fingerprint changes with the password, so a used link stops working; the
    # address's, once the account moved away from the mailbox the link was sent to.
    if (user is None or payload.get("p") != tokens.password_fingerprint(user.password_hash)
            or payload.get("e") != tokens.fingerprint(user.email)):
        return None
    return user if user.is_active else None


def too_many_attempts(_error: Exception) -> tuple[str, int]:
    """The 429 page of every rate-limited form (Flask-Limiter adds Retry-After)."""
    return render_template("auth/too_many.html"), 429
