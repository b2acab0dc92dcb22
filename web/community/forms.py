"""Forms for playlists and comments (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models.comments import MAX_BODY_LENGTH
from models.playlists import MAX_NAME_LENGTH
from web.params import MAX_ROW_ID

ROW_ID = NumberRange(min=1, max=MAX_ROW_ID)   # an id a row can have (web/params.py)


class PlaylistNameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)])


class VisibilityForm(FlaskForm):
    is_public = BooleanField("Public")


class SaveForm(FlaskForm):
    article_id = IntegerField(validators=[DataRequired(), ROW_ID])
    playlist_id = IntegerField(validators=[Optional(), ROW_ID])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class CommentForm(FlaskForm):
    body = TextAreaField("Your comment",
                         validators=[DataRequired(), Length(max=MAX_BODY_LENGTH)])
    next = HiddenField()


class ReportForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=500)])
    next = HiddenField()
