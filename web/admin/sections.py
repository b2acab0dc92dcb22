"""Admin › Sections: create, rename, order, parent and keyword rules."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from models import sections
from models.sections import Section
from web.admin.forms import NO_SECTION, SectionForm
from web.admin.views import bp
from web.auth.guards import admin_required
from web.extensions import db_session


def _parent_choices(editing: Section | None = None) -> list[tuple[int, str]]:
    """Any section except the one edited and its descendants (no cycles)."""
    choices = [(NO_SECTION, "— top level —")]
    for section in sections.all_in_order(db_session()):
        if editing is None or not _is_within(section, editing):
            choices.append((section.id, section.name))
    return choices


def _is_within(section: Section | None, ancestor: Section) -> bool:
    seen: set[int] = set()
    while section is not None and section.id not in seen:
        if section.id == ancestor.id:
            return True
        seen.add(section.id)
        section = section.parent
    return False


def _apply(form: SectionForm, section: Section) -> None:
    section.name = (form.name.data or "").strip()
    section.slug = form.slug.data or section.slug
    section.parent_id = form.parent_id.data or None
    section.position = form.position.data or 0
    section.keywords = "\n".join(line.strip() for line in (form.keywords.data or "")
                                 .splitlines() if line.strip())


def _render_list(form: SectionForm, status: int = 200) -> tuple[str, int]:
    return render_template("admin/sections.html", form=form,
                           sections=sections.all_in_order(db_session())), status


@bp.get("/sections")
@admin_required
def sections_index() -> tuple[str, int]:
    form = SectionForm()
    form.parent_id.choices = _parent_choices()
    return _render_list(form)


@bp.post("/sections")
@admin_required
def create_section() -> Response | tuple[str, int]:
    form = SectionForm()
    form.parent_id.choices = _parent_choices()
    if not form.validate_on_submit():
        return _render_list(form, 400)
    section = Section(slug="", name="")
    _apply(form, section)
    session = db_session()
    session.add(section)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        form.slug.errors = ["Another section has this slug."]
        return _render_list(form, 409)
    flash(f"Created {section.name}.")
    return redirect(url_for("admin.sections_index"))


@bp.get("/sections/<int:section_id>")
@admin_required
def edit_section(section_id: int) -> str:
    section = db_session().get(Section, section_id) or abort(404)
    form = SectionForm(obj=section, parent_id=section.parent_id or NO_SECTION)
    form.parent_id.choices = _parent_choices(section)
    return render_template("admin/section_edit.html", section=section, form=form)


@bp.post("/sections/<int:section_id>")
@admin_required
def update_section(section_id: int) -> Response | tuple[str, int]:
    session = db_session()
    section = session.get(Section, section_id) or abort(404)
    form = SectionForm()
    form.parent_id.choices = _parent_choices(section)
    if not form.validate_on_submit():
        return render_template("admin/section_edit.html", section=section, form=form), 400
    _apply(form, section)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        form.slug.errors = ["Another section has this slug."]
        return render_template("admin/section_edit.html", section=section, form=form), 409
    flash(f"Saved {section.name}.")
    return redirect(url_for("admin.sections_index"))
