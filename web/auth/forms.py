"""Forms of the sign-in, registration and password-reset pages (CSRF by Flask-WTF)."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from models.users import EMAIL_MAX, normalise_email
from web.auth.passwords import MAX_LENGTH, password_problem

# Deliberately loose: the verification e-mail is the real check. But one mailbox only:
# none of the characters with which a To header names several addresses, a display
# name, a group or a comment (RFC 5322 `specials` but the dot; quoted local parts are
# refused with them), nor control characters.
_NOT_IN_ADDRESS = r"@\s,;:<>()\[\]\"\\\x00-\x1f\x7f"
PLAUSIBLE_EMAIL = re.compile(
    rf"[^{_NOT_IN_ADDRESS}]+@[^{_NOT_IN_ADDRESS}]+\.[^{_NOT_IN_ADDRESS}.]+\Z")


def plausible_email(_form: FlaskForm, field: EmailField) -> None:
    if not PLAUSIBLE_EMAIL.match((field.data or "").strip()):
        raise ValidationError("Enter an e-mail address like name@example.com.")
    # Lower-casing can lengthen it ("İ" becomes two characters): the stored form must fit.
    if len(normalise_email(field.data or "")) > EMAIL_MAX:
        raise ValidationError("That e-mail address is too long.")


def acceptable_password(form: FlaskForm, field: PasswordField) -> None:
    email_field = getattr(form, "email", None)
    email = email_field.data if email_field is not None and email_field.data else ""
    problem = password_problem(field.data or "", email=email)
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Remember me on this device")
    next = HiddenField()


class RegisterForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320), plausible_email])
    password = PasswordField("Password", validators=[DataRequired(), acceptable_password])
    password_again = PasswordField("Password again", validators=[
        DataRequired(), EqualTo("password", message="The passwords differ.")])
    accept_terms = BooleanField(
        "I agree to the Terms & Conditions and the Privacy Policy",
        validators=[DataRequired(message="You need to agree to create an account.")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), acceptable_password])
    password_again = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The passwords differ.")])

