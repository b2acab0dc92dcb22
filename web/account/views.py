"""The signed-in reader's account: e-mail, password, data download and deletion."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from models import personal_data, users
from models.base import utcnow
from models.db import session_scope
from models.users import User
from web.account.forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm
from web.auth import devices, mails, tokens
from web.auth.limits import (
    CURRENT_PASSWORD_PER_ACCOUNT,
    LOGIN_PER_IP,
    MAIL_PER_IP,
    limit_posts,
    may_mail,
    signed_in_account_key,
)
from web.auth.passwords import hash_password, verify_password
from web.auth.sessions import end_session, start_session
from web.cache import content_changed
from web.extensions import database, db_session

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.after_request
def never_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"   # personal pages and data stay private
    return response

Page = str | Response | tuple[str, int]


def _render(status: int = 200, **forms: object) -> tuple[str, int]:
    context = {"email_form": ChangeEmailForm(prefix="email"),
               "password_form": ChangePasswordForm(prefix="password"),
               "delete_form": DeleteAccountForm(prefix="delete")} | forms
    return render_template("account/index.html", notice=request.args.get("sent"),
                           **context), status


def _me() -> User:
    """The signed-in user, loaded in this request's (write) session."""
    user = db_session().get(User, current_user.id)
    assert user is not None   # login_required ran and the loader found it
    return user


@bp.get("")
@login_required
def index() -> Page:
    return _render()


@bp.post("/email")
@login_required
@limit_posts(MAIL_PER_IP, CURRENT_PASSWORD_PER_ACCOUNT, key=signed_in_account_key)
def change_email() -> Page:
    form = ChangeEmailForm(prefix="email")
    if not form.validate_on_submit():
        return _render(400, email_form=form)
    user = _me()
    if not is_current_password(form, user):
        return _render(400, email_form=form)
    new_email = users.normalise_email(form.email.data or "")
    if new_email != user.email:
        _ask_to_move(user, new_email)
    # The same answer when the address is taken: this form must not reveal accounts.
    return redirect(url_for("account.index", sent="email"))


def _ask_to_move(user: User, new_email: str) -> None:
    """Mail the confirmation link to the new address and a notice to the account's own.

    The account's own mailbox is the asker's: the notice goes whether or not the new
    address has an account, after the same work, or typing strangers' addresses and
    watching one's inbox would tell which of them have accounts. Only the link, which
    could never work for a taken address, stays unsent. The confirmation goes to an
    address anyone may type, the notice to one an unverified sign-up may have taken from
    a stranger: both capped per address, as the sign-up and reset mails are
    (web/auth/limits.py, `may_mail`)."""
    is_taken = users.by_email(db_session(), new_email) is not None
    if not (may_mail("change-email", new_email)
            and may_mail("change-email-notice", user.email)):
        return
    confirmation = mails.compose("account/email/confirm_email.txt",
                                 link=mails.email_change_link(user, new_email))
    if not is_taken:
        mails.deliver(new_email, confirmation)
    mails.send(user.email, "account/email/email_change_requested.txt", new_email=new_email)


@bp.get("/email/confirm/<token>")
def confirm_email(token: str) -> Page:
    payload = tokens.read_token(str(current_app.config["SECRET_KEY"]), tokens.CHANGE_EMAIL,
                                token)
    with session_scope(database()) as db:
        user = db.get(User, int(payload.get("u", 0))) if payload else None
        # Naming the old address makes the link single-use: once changed, it no longer matches.
        # The session secret's fingerprint voids it on sign-out, password change or reset.
        if (user is None or payload is None or not user.is_active
                or user.email != payload.get("old")
                or payload.get("s") != tokens.fingerprint(user.session_secret)
                or users.by_email(db, str(payload.get("new", ""))) is not None):
            return render_template("auth/link_invalid.html"), 400
        users.change_email(user, str(payload["new"]))
    return render_template("account/email_changed.html")


def is_current_password(form: ChangeEmailForm | ChangePasswordForm | DeleteAccountForm,
                        user: User) -> bool:
    """What a stolen session must not do alone asks for the password again."""
    if verify_password(user.password_hash, form.current_password.data or ""):
        return True
    form.current_password.errors.append("That is not your current password.")
    return False


@bp.post("/password")
@login_required
@limit_posts(LOGIN_PER_IP, CURRENT_PASSWORD_PER_ACCOUNT, key=signed_in_account_key)
def change_password() -> Page:
    form = ChangePasswordForm(prefix="password")
    if not form.validate_on_submit():
        return _render(400, password_form=form)
    user = _me()
    if not is_current_password(form, user):
        return _render(400, password_form=form)
    user.password_hash = hash_password(form.password.data or "")
    users.end_every_session(user)
    db_session().commit()
    start_session(user)   # this browser stays signed in, under the new session secret
    response = redirect(url_for("account.index", sent="password"))
    devices.remember_device(response, user)   # the cookies issued before name the old password
    return response


@bp.get("/data.json")
@login_required
def download_data() -> Response:
    data = personal_data.export(db_session(), _me())
    data["exported_at"] = utcnow().isoformat()
    return Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-hopper-data.json"'})


@bp.post("/delete")
@login_required
@limit_posts(LOGIN_PER_IP, CURRENT_PASSWORD_PER_ACCOUNT, key=signed_in_account_key)
def delete_account() -> Page:
    form = DeleteAccountForm(prefix="delete")
    if not form.validate_on_submit():
        return _render(400, delete_form=form)
    user = _me()
    if not is_current_password(form, user):
        return _render(400, delete_form=form)
    db = db_session()
    if user.is_admin and users.count_active_admins(db) <= 1:
        # As the admin pages refuse to demote or suspend the last admin.
        form.confirm.errors.append("You are the last admin: make someone else admin "
                                   "first, then delete your account.")
        return _render(400, delete_form=form)
    personal_data.erase(db, user)
    db.commit()
    content_changed()   # the comments it wrote leave cached pages now, not at their expiry
    end_session()
    return render_template("account/deleted.html")
