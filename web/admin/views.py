"""The admin blueprint and its dashboard; each area's routes live in its own module."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.auth.guards import admin_required, refuse_non_admins

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(refuse_non_admins)


@bp.get("/")
@admin_required
def dashboard() -> str:
    return render_template("admin/dashboard.html")
