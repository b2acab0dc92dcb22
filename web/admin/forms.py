"""Admin forms (Flask-WTF: every state change is a POST with a CSRF token)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import Field
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from hopper.settings import Limits
from hopper.widths import NAME_MAX, SECTION_NAME_MAX, URL_MAX
from models.sources import DEFAULT_FULL_TEXT, DEFAULT_RIGHTS, FullText, Rights

NO_SECTION = 0


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


def feed_url(_form: FlaskForm, field: Field) -> None:
    """Syntax only: an http(s) URL with a host. Reachability is the poll's business."""
    text = (field.data or "").strip()
    if not text:
        return          # (the edit form's address is optional; the add form requires it)
    try:
        parts = urlsplit(text)
        hostname = parts.hostname       # raises on a malformed IPv6 host ("http://[::1/")
    except ValueError:
        raise ValidationError("Enter an http:// or https:// address.") from None
    if parts.scheme not in ("http", "https") or not hostname or " " in text:
        raise ValidationError("Enter an http:// or https:// address.")


def interval_field(limits: Limits) -> IntegerField:
    return IntegerField(
        "Poll interval (minutes; empty = adaptive)",
        validators=[Optional(), NumberRange(min=limits.min_interval_minutes,
                                            max=limits.max_interval_minutes)])


LIMITS = Limits()


RIGHTS_CHOICES = [
    (Rights.HEADLINE.value, "Headline: title, link and image"),
    (Rights.EXCERPT.value, "Excerpt: plus a summary of about 300 characters"),
    (Rights.FULL.value, "Full: the whole article (only with the publisher's permission)")]
FULL_TEXT_CHOICES = [
    (FullText.AUTO.value, "Auto: when the feed carries only short summaries"),
    (FullText.ON.value, "On: always fetch the article page"),
    (FullText.OFF.value, "Off: show what the feed carries")]


class SourceEditForm(FlaskForm):
    # A new address is looked up as an added one is (its feed found, then polled).
    url = StringField("Feed or page URL", validators=[Optional(), Length(max=URL_MAX), feed_url])
    name = StringField("Name", validators=[Optional(), Length(max=NAME_MAX)])
    section_id = SelectField("Section", coerce=int, default=NO_SECTION)
    interval_minutes = interval_field(LIMITS)
    rights = SelectField("Republishing rights", choices=RIGHTS_CHOICES,
                         default=DEFAULT_RIGHTS.value)
    full_text = SelectField("Full text", choices=FULL_TEXT_CHOICES,
                            default=DEFAULT_FULL_TEXT.value)
    is_preferred = BooleanField("Preferred source (leads the stories it covers)")


class SourceAddForm(SourceEditForm):
    url = StringField("Feed or page URL",
                      validators=[DataRequired(), Length(max=URL_MAX), feed_url])


class SectionForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=SECTION_NAME_MAX)])
    slug = StringField("Slug", validators=[
        DataRequired(), Length(max=80),
        # \Z, not $: `$` also matches before a final newline.
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z", message="Lower-case letters, digits, hyphens.")])
    parent_id = SelectField("Parent", coerce=int, default=NO_SECTION)
    position = IntegerField("Order", default=0, validators=[Optional(), NumberRange(-999, 999)])
    keywords = TextAreaField("Keyword rules (one per line)",
                             validators=[Optional(), Length(max=10_000)])
