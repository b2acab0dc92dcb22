"""Sign-in, registration, sign-out and password reset."""

from flask import Flask

from models import users
from models.users import User
from web.auth.views import bp
from web.extensions import db_session, login_manager


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return users.by_session_id(db_session(), session_id)
