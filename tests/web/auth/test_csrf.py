"""Every state-changing form refuses a POST without its CSRF token."""

from __future__ import annotations

import pytest

from tests.web.auth.fixtures import PASSWORD

FORMS = ["/login", "/register", "/password/forgot", "/logout", "/verify/resend",
         "/account/email", "/account/password", "/account/delete", "/password/reset/anything"]


@pytest.mark.parametrize("path", FORMS)
def test_a_post_without_a_csrf_token_is_refused(app, make_account, login_as, client,
                                                path: str) -> None:
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    login_as(make_account("ada@example.test"))
    response = client.post(path, data={"email": "ada@example.test", "password": PASSWORD,
                                       "current_password": PASSWORD})
    assert response.status_code == 400


def test_a_post_with_a_forged_csrf_token_is_refused(client, make_account) -> None:
    make_account("ada@example.test")
    client.get("/login")
    response = client.post("/login", data={"email": "ada@example.test", "password": PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "could not be understood: The CSRF token is invalid. If you" in page   # one stop
