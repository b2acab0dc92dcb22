"""Admin › Consent: counts by action and by accepted category over the last 30 days."""

from __future__ import annotations

from datetime import timedelta

from models.base import utcnow
from models.consent import ConsentRecord, consent_statistics
from models.db import session_scope


def _record(session, action: str, choices: dict[str, bool], days_ago: int = 0) -> None:
    session.add(ConsentRecord(consent_id=f"c{len(session.new)}-{action}-{days_ago}",
                              choices=choices, policy_version="1", action=action,
                              created_at=utcnow() - timedelta(days=days_ago)))


def test_statistics_count_actions_and_accepted_categories_since_the_date(database) -> None:
    with session_scope(database) as session:
        _record(session, "accept_all", {"analytics": True, "media": True})
        _record(session, "accept_all", {"analytics": True, "media": True})
        _record(session, "reject_all", {"analytics": False, "media": False})
        _record(session, "custom", {"analytics": True, "media": False})
        _record(session, "accept_all", {"analytics": True}, days_ago=40)
    with database.reader() as session:
        statistics = consent_statistics(session, utcnow() - timedelta(days=30))
    assert statistics.total == 4
    assert statistics.by_action == {"accept_all": 2, "reject_all": 1, "custom": 1}
    assert statistics.accepted_by_category == {"analytics": 3, "media": 2}


def test_the_consent_page_shows_the_numbers(client, make_user, login_as, database) -> None:
    login_as(make_user("admin@example.test", is_admin=True))
    with session_scope(database) as session:
        _record(session, "reject_all", {"analytics": False})
    page = client.get("/admin/consent").get_data(as_text=True)
    assert "reject_all" in page and '<strong class="consent-total">1</strong>' in page
