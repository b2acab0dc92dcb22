"""Forms of the account page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from web.auth.forms import acceptable_password, plausible_email
from web.auth.passwords import MAX_LENGTH


class ChangeEmailForm(FlaskForm):
    email = EmailField("New e-mail", validators=[DataRequired(), Length(max=320),
                                                  plausible_email])
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=MAX_LENGTH)])
    password = PasswordField("New password", validators=[DataRequired(), acceptable_password])
    password_again = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The passwords differ.")])


class DeleteAccountForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=MAX_LENGTH)])
    confirm = BooleanField("Yes, delete my account, my playlists and my comments for good",
                           validators=[DataRequired(message="Tick the box to confirm.")])
