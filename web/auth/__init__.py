"""Sign-in, registration, sign-out and password reset."""

from flask import Flask, redirect, request, url_for
from werkzeug.wrappers import Response

from models import users
from models.users import User
from web.auth.views import bp, too_many_attempts
from web.extensions import db_session, login_manager


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(429, too_many_attempts)
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return users.by_session_id(db_session(), session_id)

    @login_manager.unauthorized_handler
    def ask_to_sign_in() -> Response:
        # A relative `next` (Flask-Login's default is absolute) that safe_next accepts.
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
