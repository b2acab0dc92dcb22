"""Admin fixtures: an admin, a reader, and the community area's article and CSRF helpers."""

from __future__ import annotations

import pytest

from tests.web.community.conftest import make_article, no_csrf  # noqa: F401 (fixtures)


@pytest.fixture
def admin(make_user, login_as):  # type: ignore[no-untyped-def]
    """An admin, signed in on the test client."""
    user = make_user("admin@example.test", is_admin=True)
    login_as(user)
    return user
