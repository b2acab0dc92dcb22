"""`admin_required`: visitors go to sign in, readers get 403, admins get through."""

from __future__ import annotations

from web.auth.guards import admin_required


def test_only_admins_pass(app, client, make_user, login_as) -> None:
    app.add_url_rule("/only-admins", "only_admins", admin_required(lambda: "admin area"))
    response = client.get("/only-admins")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/only-admins"
    login_as(make_user("reader@example.test"))
    assert client.get("/only-admins").status_code == 403
    login_as(make_user("admin@example.test", is_admin=True))
    assert client.get("/only-admins").get_data(as_text=True) == "admin area"
