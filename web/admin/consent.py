"""Admin › Consent: how visitors answered the cookie banner over the last 30 days."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template

from models.base import utcnow
from models.consent import consent_statistics
from web.admin.views import bp
from web.auth.guards import admin_required
from web.extensions import db_session

STATISTICS_WINDOW = timedelta(days=30)


@bp.get("/consent")
@admin_required
def consent_index() -> str:
    since = utcnow() - STATISTICS_WINDOW
    return render_template("admin/consent.html", since=since,
                           statistics=consent_statistics(db_session(), since))
