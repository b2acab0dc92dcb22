"""`next=` stays on this site, however the target is spelt."""

from __future__ import annotations

import pytest

from tests.web.auth.fixtures import PASSWORD, csrf_token_of
from web.auth.redirects import is_safe_path

HOSTILE = [
    "//evil.example", "\\\\evil.example", "/\\evil.example", "https:evil.example",
    "http://evil.example", "https://evil.example/path", "%2F%2Fevil.example",
    "/%2F%2Fevil.example", "/%5Cevil.example", "%5C%5Cevil.example", "/%252F%252Fevil.example",
    "javascript:alert(1)", "JavaScript:alert(1)", "/\t/evil.example", "/\n/evil.example",
    " //evil.example", "evil.example", "", "data:text/html,hi", "///evil.example",
    # Dot segments: a browser resolves "/.//evil.example" to "//evil.example".
    "/.//evil.example", "/..//evil.example", "/a/..//evil.example", "/%2E//evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_targets_off_this_site_are_refused(target: str) -> None:
    assert not is_safe_path(target)


@pytest.mark.parametrize("target", ["/", "/account", "/section/world?page=2",
                                    "/search?q=a%20b", "/article/12-a-title#comments"])
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert is_safe_path(target)


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_never_redirects_off_site(client, make_account, target: str) -> None:
    make_account("ada@example.test")
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "ada@example.test", "password": PASSWORD,
                                           "csrf_token": token, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", HOSTILE)
def test_the_consent_form_never_redirects_off_site(client, database, target: str) -> None:
    response = client.post("/consent", data={"action": "reject_all", "next": target},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_sign_in_page_carries_only_a_safe_next(client, database) -> None:
    page = client.get("/login?next=//evil.example").get_data(as_text=True)
    assert '<input id="next" name="next" type="hidden" value="/">' in page
