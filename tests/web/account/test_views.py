"""The account page: e-mail and password changes, data download, deletion."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from models.articles import Article
from models.base import utcnow
from models.comments import Comment
from models.consent import ConsentRecord
from models.db import session_scope
from models.permalinks import article_path
from models.playlists import Playlist, PlaylistItem
from models.sources import Source
from models.users import User, by_email
from tests.article_rows import ArticleRows
from tests.web.auth.fixtures import PASSWORD, csrf_token_of
from web.auth import outbox

NEW_PASSWORD = "another long unusual passphrase"


def signed_in(app, email: str = "ada@example.test"):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def post_form(client, path: str, prefix: str, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_token_of(client.get("/account").get_data(as_text=True))
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(path, data={"csrf_token": token, **data})


def test_changing_the_password_keeps_this_session_and_ends_the_others(app,
                                                                      make_account) -> None:
    make_account("ada@example.test")
    laptop, phone = signed_in(app), signed_in(app)
    response = post_form(laptop, "/account/password", "password", current_password=PASSWORD,
                         password=NEW_PASSWORD, password_again=NEW_PASSWORD)
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_changing_the_password_needs_the_current_one(app, make_account) -> None:
    make_account("ada@example.test")
    client = signed_in(app)
    response = post_form(client, "/account/password", "password", current_password="wrong one!",
                         password=NEW_PASSWORD, password_again=NEW_PASSWORD)
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)


def test_a_new_address_counts_once_its_link_is_followed(mailing_app, make_account, mailbox,
                                                         database) -> None:
    user = make_account("ada@example.test")
    client = signed_in(mailing_app)
    response = post_form(client, "/account/email", "email", email="Ada@New.example",
                         current_password=PASSWORD)
    assert response.status_code == 302
    mailbox.wait_for("ada@example.test", subject_has="about to change")
    path = urlsplit(mailbox.link_in("ada@new.example")).path
    with session_scope(database) as session:
        assert session.get(User, user.id).email == "ada@example.test"
    assert client.get(path).status_code == 200
    with session_scope(database) as session:
        assert session.get(User, user.id).email == "ada@new.example"
    assert client.get(path).status_code == 400   # used once


def ask_to_move(client, mailbox, new_email: str) -> str:  # type: ignore[no-untyped-def]
    """Request an address change from `client`; the confirmation link's path."""
    response = post_form(client, "/account/email", "email", email=new_email,
                         current_password=PASSWORD)
    assert response.status_code == 302
    return urlsplit(mailbox.link_in(new_email)).path


def test_a_password_change_voids_a_pending_address_change(mailing_app, make_account, mailbox,
                                                          database) -> None:
    user = make_account("ada@example.test")
    # Someone holding Ada's password asks to move the account to their own address...
    link = ask_to_move(signed_in(mailing_app), mailbox, "thief@evil.example")
    # ...Ada notices the warning and changes her password.
    owner = signed_in(mailing_app)
    post_form(owner, "/account/password", "password", current_password=PASSWORD,
              password=NEW_PASSWORD, password_again=NEW_PASSWORD)

    assert mailing_app.test_client().get(link).status_code == 400
    with session_scope(database) as session:
        assert session.get(User, user.id).email == "ada@example.test"


def test_signing_out_voids_a_pending_address_change(mailing_app, make_account,
                                                    mailbox) -> None:
    make_account("ada@example.test")
    link = ask_to_move(signed_in(mailing_app), mailbox, "thief@evil.example")
    owner = signed_in(mailing_app)
    token = csrf_token_of(owner.get("/account").get_data(as_text=True))
    owner.post("/logout", data={"csrf_token": token})   # signs every session out
    assert mailing_app.test_client().get(link).status_code == 400


def test_a_suspended_account_cannot_confirm_an_address_change(mailing_app, make_account,
                                                              mailbox, database) -> None:
    user = make_account("ada@example.test")
    link = ask_to_move(signed_in(mailing_app), mailbox, "ada@new.example")
    with session_scope(database) as session:
        session.get(User, user.id).is_suspended = True
    assert mailing_app.test_client().get(link).status_code == 400
    with session_scope(database) as session:
        assert session.get(User, user.id).email == "ada@example.test"


def test_download_my_data_holds_profile_consents_playlists_and_comments(app, make_account,
                                                                         database) -> None:
    user = make_account("ada@example.test")
    with session_scope(database) as session:
        source = Source(url="http://127.0.0.1/feed.xml", name="Feed")
        session.add(source)
        session.flush()
        article = Article(source_id=source.id, entry_key="k1", entry_hash="h", content_hash="c",
                          title="A story", published_at=utcnow(),
                          url="http://127.0.0.1/a")
        session.add(article)
        session.flush()
        playlist = Playlist(user_id=user.id, name="Later", share_token="t" * 20)
        session.add(playlist)
        session.flush()
        session.add(PlaylistItem(playlist_id=playlist.id, article_id=article.id))
        session.add(Comment(article_id=article.id, user_id=user.id, body="Nice", body_html="Nice"))
        session.add(ConsentRecord(consent_id="c" * 20, choices={"media": True},
                                  policy_version="v", action="custom", user_id=user.id))
    response = signed_in(app).get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["profile"]["email"] == "ada@example.test"
    assert "password_hash" not in data["profile"] and "session_secret" not in data["profile"]
    assert [p["name"] for p in data["playlists"]] == ["Later"]
    assert data["playlists"][0]["items"][0]["article"]["title"] == "A story"
    assert [c["body"] for c in data["comments"]] == ["Nice"]
    assert [c["action"] for c in data["consent_records"]] == ["custom"]


def test_deleting_the_account_needs_the_password_and_removes_its_data(app, make_account,
                                                                       database) -> None:
    user = make_account("ada@example.test")
    with session_scope(database) as session:
        session.add(Playlist(user_id=user.id, name="Later", share_token="t" * 20))
        session.add(ConsentRecord(consent_id="c" * 20, choices={}, policy_version="v",
                                  action="reject_all", user_id=user.id))
    client = signed_in(app)
    refused = post_form(client, "/account/delete", "delete", current_password="wrong one!",
                        confirm="y")
    assert refused.status_code == 400
    deleted = post_form(client, "/account/delete", "delete", current_password=PASSWORD,
                        confirm="y")
    assert deleted.status_code == 200 and "deleted" in deleted.get_data(as_text=True)
    with session_scope(database) as session:
        assert by_email(session, "ada@example.test") is None
        assert session.scalars(select(Playlist)).all() == []
        [record] = session.scalars(select(ConsentRecord)).all()
        assert record.user_id is None   # proof of the choice stays, naming no one
    assert client.get("/account").status_code == 302


def test_a_deleted_accounts_comments_leave_cached_pages_and_counts_at_once(
        app, make_account, database) -> None:
    """Erasure is the reader's right: their words must not stay on the cached article page
    (as a hidden comment does not) nor in its count of comments."""
    make_account("ada@example.test")
    article = ArticleRows(database).article("Debated")
    ada = signed_in(app)
    thread = ada.get(f"/discussion/{article.id}").get_data(as_text=True)
    assert ada.post(f"/discussion/{article.id}/comments", data={
        "body": "my own words", "csrf_token": csrf_token_of(thread)}).status_code == 302
    reader = app.test_client()
    assert "my own words" in reader.get(article_path(article)).get_data(as_text=True)
    assert reader.get(article_path(article)).headers["X-Cache"] == "hit"

    assert post_form(ada, "/account/delete", "delete", current_password=PASSWORD,
                     confirm="y").status_code == 200

    assert "my own words" not in reader.get(article_path(article)).get_data(as_text=True)
    with session_scope(database) as session:
        assert session.get(Article, article.id).comment_count == 0


def test_the_last_admin_cannot_delete_their_account(app, make_account, database) -> None:
    """As the admin pages refuse to demote or suspend the last admin: nobody would be
    left to moderate, and only a shell on the server could make another."""
    make_account("ada@example.test", is_admin=True)
    client = signed_in(app)
    refused = post_form(client, "/account/delete", "delete", current_password=PASSWORD,
                        confirm="y")
    assert refused.status_code == 400
    assert "last admin" in refused.get_data(as_text=True)
    with session_scope(database) as session:
        assert by_email(session, "ada@example.test") is not None

    make_account("grace@example.test", is_admin=True)
    deleted = post_form(client, "/account/delete", "delete", current_password=PASSWORD,
                        confirm="y")
    assert deleted.status_code == 200    # another admin remains


def test_a_crowd_of_accounts_gets_only_three_address_change_mails_an_hour_to_one_address(
        mailing_app, make_account, mailbox) -> None:
    """Any account may name any address as its new one, and the confirmation goes to that
    address: without the per-address cap sign-up and reset have, accounts on many clients
    (each within its own limits) could bury a stranger's mailbox in confirmation mails."""
    for n in range(5):
        make_account(f"sender{n}@example.test")
        client = mailing_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        token = csrf_token_of(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"email": f"sender{n}@example.test",
                                           "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        response = post_form(client, "/account/email", "email", email="Victim@Example.test",
                             current_password=PASSWORD)
        assert response.status_code == 302
    assert outbox.wait_until_sent(timeout_s=15)
    assert sum(message["To"] == "victim@example.test" for message in mailbox.messages) == 3


def test_a_crowd_of_clients_gets_only_three_verification_mails_an_hour_to_one_address(
        mailing_app, make_account, mailbox) -> None:
    """Anyone may sign up with a stranger's address (the account stays unverified) and
    sign in with the password they chose: 'send the link again' from many clients then
    mailed that stranger without the per-address cap sign-up itself has."""
    make_account("victim@example.test", is_verified=False)
    for n in range(5):
        client = mailing_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        token = csrf_token_of(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"email": "victim@example.test",
                                           "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        token = csrf_token_of(client.get("/account").get_data(as_text=True))
        assert client.post("/verify/resend", data={"csrf_token": token}).status_code == 302
    assert outbox.wait_until_sent(timeout_s=15)
    assert sum(message["To"] == "victim@example.test" for message in mailbox.messages) == 3


def test_address_change_notices_to_one_address_are_capped_too(mailing_app, make_account,
                                                               mailbox) -> None:
    """The notice goes to the account's own address, which a stranger's unverified sign-up
    may hold: asking to move to a new address each time mailed it past the cap."""
    make_account("victim@example.test", is_verified=False)
    for n in range(5):
        client = mailing_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        token = csrf_token_of(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"email": "victim@example.test",
                                           "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        response = post_form(client, "/account/email", "email",
                             email=f"elsewhere{n}@example.test", current_password=PASSWORD)
        assert response.status_code == 302
    assert outbox.wait_until_sent(timeout_s=15)
    assert sum(message["To"] == "victim@example.test" for message in mailbox.messages) == 3


def test_the_notice_in_ones_own_inbox_does_not_tell_which_addresses_have_accounts(
        mailing_app, make_account, mailbox) -> None:
    """Anyone may sign up and ask to move their account to a stranger's address: when the
    notice to their own inbox came only for free addresses, it told which had accounts."""
    make_account("ada@example.test")
    make_account("mallory@example.test")
    mallory = signed_in(mailing_app, "mallory@example.test")
    for address in ("ada@example.test", "nobody@example.test"):
        assert post_form(mallory, "/account/email", "email", email=address,
                         current_password=PASSWORD).status_code == 302
    assert outbox.wait_until_sent(timeout_s=15)

    notices = [message.get_body(preferencelist=("plain",)).get_content()
               for message in mailbox.messages if message["To"] == "mallory@example.test"]
    assert len(notices) == 2
    assert len({notice.replace("ada@example.test", "nobody@example.test")
                for notice in notices}) == 1   # the same words but for the address typed
    assert not any(message["To"] == "ada@example.test" for message in mailbox.messages)
