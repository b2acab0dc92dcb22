"""The contact form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ContactForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Your e-mail address", validators=[
        DataRequired(), Length(max=320),
        Regexp(EMAIL_SHAPE, message="Please enter a valid e-mail address.")])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    message = TextAreaField("Message", validators=[DataRequired(), Length(min=10, max=5000)])
