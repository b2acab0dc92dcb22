"""Admin › Sources: add, edit, pause, resume, poll now, and the health table.

Adding runs the one use case for adding a source (workers/adding.py): the request is
checked and stored here with the same `check_new_source` and `insert_source` as the CLI,
then `workers.resolve_source` finds the feed a page URL advertises (a web request never
fetches a third party) and polls it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from models import sections, source_health
from models import sources as source_rows
from models.base import utcnow
from models.new_sources import (
    InvalidSource,
    NewSource,
    SourceExists,
    check_new_source,
    insert_source,
)
from models.sources import Source, SourceStatus
from web.admin.forms import NO_SECTION, ActionForm, SourceAddForm, SourceEditForm
from web.admin.views import bp
from web.auth.guards import admin_required
from web.extensions import db_session, settings
from web.queue import enqueue_after_commit

POLL_TASK = "workers.poll_source"
RESOLVE_TASK = "workers.resolve_source"


def _section_choices() -> list[tuple[int, str]]:
    return [(NO_SECTION, "— none —")] + [
        (section.id, section.name) for section in sections.all_in_order(db_session())]


def _source_or_404(source_id: int) -> Source:
    source = db_session().get(Source, source_id)
    if source is None:
        abort(404)
    return source


def _render_table(form: SourceAddForm, status: int = 200) -> tuple[str, int]:
    return render_template("admin/sources.html", form=form, action_form=ActionForm(),
                           rows=source_health.health_table(db_session(), utcnow())), status


@bp.get("/sources")
@admin_required
def sources() -> tuple[str, int]:
    form = SourceAddForm()
    form.section_id.choices = _section_choices()
    return _render_table(form)


@bp.post("/sources")
@admin_required
def add_source() -> Response | tuple[str, int]:
    """Check and store the URL as given; `workers.resolve_source` then finds the feed a
    page advertises and polls it."""
    form = SourceAddForm()
    form.section_id.choices = _section_choices()
    if not form.validate_on_submit():
        return _render_table(form, 400)
    session = db_session()
    try:
        new = check_new_source(NewSource(
            url=form.url.data or "", name=form.name.data or "",
            section_id=form.section_id.data or None,
            interval_minutes=form.interval_minutes.data, rights=form.rights.data,
            full_text=form.full_text.data), settings().limits)
        source = insert_source(session, new)
    except InvalidSource as error:
        return _render_table(form, _refused(form, error))
    except IntegrityError:      # a concurrent duplicate: the unique feed URL refuses it
        session.rollback()
        return _render_table(form, _refused(form, None))
    enqueue_after_commit(session, RESOLVE_TASK, source.id)
    session.commit()
    flash(f"Added {source.url}; its feed is being looked up and polled.")
    return redirect(url_for("admin.sources"))


def _render_edit(source: Source, form: SourceEditForm, status: int) -> tuple[str, int]:
    return render_template("admin/source_edit.html", source=source, form=form), status


def _refused(form: SourceEditForm, error: InvalidSource | None) -> int:
    """The form's address refused: its message on the field, and the status to answer
    (None: the unique URL refused it, a duplicate another request stored meanwhile)."""
    if error is None or isinstance(error, SourceExists):
        form.url.errors = ["This source is already on the list."]
        return 409
    form.url.errors = [error.reason]
    return 400


def _checked_new_address(session: Session, source: Source, url: str) -> str:
    """A corrected address, checked as an added one is: InvalidSource if it cannot be a
    source, SourceExists if another source polls it."""
    checked = check_new_source(NewSource(url=url), settings().limits).url
    other = source_rows.id_with_url(session, checked, other_than=source.id)
    if other is not None:
        raise SourceExists(checked, other)
    return checked


@bp.get("/sources/<int:source_id>")
@admin_required
def edit_source(source_id: int) -> str:
    source = _source_or_404(source_id)
    form = SourceEditForm(url=source.url, name=source.name,
                          section_id=source.section_id or NO_SECTION,
                          interval_minutes=source.interval_override_minutes,
                          rights=source.rights, full_text=source.full_text,
                          is_preferred=source.is_preferred)
    form.section_id.choices = _section_choices()
    return render_template("admin/source_edit.html", source=source, form=form)


@bp.post("/sources/<int:source_id>")
@admin_required
def update_source(source_id: int) -> Response | tuple[str, int]:
    source = _source_or_404(source_id)
    form = SourceEditForm()
    form.section_id.choices = _section_choices()
    if not form.validate_on_submit():
        return _render_edit(source, form, 400)
    session = db_session()
    new_url = (form.url.data or "").strip()
    is_moving = bool(new_url) and new_url != source.url
    if is_moving:
        # A wrong address corrected (a typo, a page with no feed): looked up and polled
        # again from a clean slate, as an added one is.
        try:
            source.url = _checked_new_address(session, source, new_url)
        except InvalidSource as error:
            return _render_edit(source, form, _refused(form, error))
        source_rows.resume(source, now=utcnow())
    source.name = (form.name.data or "").strip() or source.name
    source.section_id = form.section_id.data or None
    source.interval_override_minutes = form.interval_minutes.data
    source.rights = form.rights.data or source.rights
    source.full_text = form.full_text.data or source.full_text
    source.is_preferred = bool(form.is_preferred.data)
    if is_moving:
        enqueue_after_commit(session, RESOLVE_TASK, source.id)
    try:
        session.commit()
    except IntegrityError:      # a concurrent source took the address meanwhile
        session.rollback()
        return _render_edit(source, form, _refused(form, None))
    flash(f"Source saved; {source.url} is being looked up and polled." if is_moving
          else "Source saved.")
    return redirect(url_for("admin.sources"))


def _checked_action(source_id: int) -> Source:
    source = _source_or_404(source_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return source


@bp.post("/sources/<int:source_id>/pause")
@admin_required
def pause_source(source_id: int) -> Response:
    source = _checked_action(source_id)
    source_rows.pause(source)
    db_session().commit()
    flash(f"Paused {source.display_name}.")
    return redirect(url_for("admin.sources"))


@bp.post("/sources/<int:source_id>/resume")
@admin_required
def resume_source(source_id: int) -> Response:
    """Back to polling, due now, with a clean error slate."""
    source = _checked_action(source_id)
    source_rows.resume(source, now=utcnow())
    db_session().commit()
    flash(f"Resumed {source.display_name}.")
    return redirect(url_for("admin.sources"))


@bp.post("/sources/<int:source_id>/poll")
@admin_required
def poll_source_now(source_id: int) -> Response:
    """A paused source is not polled (the worker skips it), so it is not enqueued either:
    the admin is told to resume it rather than that a poll is on its way."""
    source = _checked_action(source_id)
    if source.status == SourceStatus.PAUSED.value:
        flash(f"{source.display_name} is paused: resume it to poll it.")
        return redirect(url_for("admin.sources"))
    session = db_session()
    enqueue_after_commit(session, POLL_TASK, source.id)
    session.commit()
    flash(f"Poll of {source.display_name} enqueued.")
    return redirect(url_for("admin.sources"))
