"""The contact form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from web.auth.forms import PLAUSIBLE_EMAIL

# The address goes into the mail's Reply-To header: one mailbox, nothing a header reads
# as a second address, a group or a line break (web/auth/forms.py). Surrounding
# whitespace is stripped first.
EMAIL_SHAPE = PLAUSIBLE_EMAIL


def _stripped(value: str | None) -> str | None:
    return value.strip() if value else value


class ContactForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Your e-mail address", filters=[_stripped], validators=[
        DataRequired(), Length(max=320),
        Regexp(EMAIL_SHAPE, message="Please enter a valid e-mail address.")])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    message = TextAreaField("Message", validators=[DataRequired(), Length(min=10, max=5000)])
