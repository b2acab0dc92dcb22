"""The outside security review's attacks, replayed against the real web process: gunicorn
as the Procfile starts it, reached over loopback with real headers (X-Forwarded-For as
a reverse proxy sends it, a forged SCRIPT_NAME) and real cookie jars. Loopback source
addresses stand in for machines: 127.0.0.1 is the trusted proxy (FORWARDED_ALLOW_IPS'
default), any other 127.x address is a client that reached gunicorn directly.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
import redis

from hopper import content_version
from models.articles import Article
from models.db import Database, session_scope
from tests.article_rows import ArticleRows
from tests.ops.servers import free_port
from tests.processes import Gunicorn
from tests.web.auth.fixtures import PASSWORD, make_account  # noqa: F401
from web.feeds.xml import SITEMAP_NS

METRICS_TOKEN = "metrics-" + secrets.token_hex(8)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def web(test_environ: dict[str, str], migrated_database: Database,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebProcess]:
    """One gunicorn for the module; each test still starts from empty tables and Redis
    (the `database` and `redis_client` fixtures)."""
    port = free_port()
    env = dict(os.environ) | test_environ | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("prometheus")),
        "HOPPER_METRICS_TOKEN": METRICS_TOKEN,
    }
    env.pop("MAIL_URL", None)
    with Gunicorn(env, port) as server:
        yield WebProcess(f"http://127.0.0.1:{port}", server)


@dataclass
class WebProcess:
    url: str
    process: Gunicorn


@dataclass
class Reply:
    status: int
    headers: Message
    text: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None   # the 30x itself is what the tests look at


class _FromAddress(urllib.request.HTTPHandler):
    """Connects from a chosen loopback address: another machine, as gunicorn sees it."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(http.client.HTTPConnection,
                                              source_address=(self.source, 0)), req)


class Visitor:
    """A browser as far as the server can tell: its own cookie jar, its own headers, and
    either its own address or a trusted proxy's that forwards it (`forwarded_for`)."""

    def __init__(self, base: str, *, source: str = "127.0.0.1",
                 forwarded_for: str | None = None, user_agent: str = FIREFOX) -> None:
        self.base = base
        self.jar = CookieJar()
        self.headers = {"User-Agent": user_agent}
        if forwarded_for:
            self.headers["X-Forwarded-For"] = forwarded_for
        self.opener = urllib.request.build_opener(
            _FromAddress(source), _NoRedirects(), urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, *, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body,
                                         headers=self.headers | (headers or {}))
        try:
            with self.opener.open(request, timeout=30) as response:
                return Reply(response.status, response.headers,
                             response.read().decode(errors="replace"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read().decode(errors="replace"))

    def get(self, path: str, **headers: str) -> Reply:
        return self.request(path, headers=headers)

    def post_form(self, path: str, fields: dict[str, str], *, form_page: str | None = None,
                  prefix: str = "") -> Reply:
        """Fill in the form of `form_page` (default: `path`), CSRF token included."""
        page = self.get(form_page or path)
        found = CSRF.search(page.text)
        assert found, f"no CSRF token on {form_page or path}: {page.status}"
        return self.request(path, data=fields | {f"{prefix}csrf_token": found.group(1)})

    def sign_in(self, email: str, password: str = PASSWORD) -> Reply:
        return self.post_form("/login", {"email": email, "password": password})

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)


@pytest.fixture
def rows(database: Database) -> ArticleRows:
    return ArticleRows(database)


# --- Page-cache poisoning through SCRIPT_NAME ------------------------------------------

def test_a_forged_script_name_cannot_point_the_cached_home_page_at_another_host(
        web: WebProcess, database: Database, redis_client: redis.Redis) -> None:
    attacker = Visitor(web.url)
    attacker.get("//evil.example/", SCRIPT_NAME="//evil.example")
    attacker.get("/", SCRIPT_NAME="//evil.example")
    reader = Visitor(web.url).get("/")
    assert reader.status == 200
    assert "evil.example" not in reader.text
    assert 'href="/login' in reader.text


def test_a_configured_prefix_is_the_only_script_root(
        test_environ: dict[str, str], database: Database, redis_client: redis.Redis,
        tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ) | test_environ | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"), "HOPPER_SCRIPT_NAME": "news"}
    with Gunicorn(env, port, workers=1):
        visitor = Visitor(f"http://127.0.0.1:{port}")
        page = visitor.get("/news/", SCRIPT_NAME="//evil.example")
        assert page.status == 200
        assert 'href="/news/login' in page.text and "evil.example" not in page.text


def test_the_page_cache_keys_on_script_root_host_and_scheme(
        app: Any, settings: Any, database: Database) -> None:
    """Where the app is mounted is part of every link, so part of the cache key."""
    import dataclasses

    from web import create_app

    mounted_app = create_app({"TESTING": True},
                             settings=dataclasses.replace(settings, script_name="/news"))
    mounted = mounted_app.test_client().get("/news/")
    assert 'href="/news/login' in mounted.get_data(as_text=True)
    mounted_app.extensions["hopper_database"].dispose()
    plain = app.test_client().get("/")
    assert plain.headers["X-Cache"] == "miss"
    assert "/news/" not in plain.get_data(as_text=True)
    assert app.test_client().get("/").headers["X-Cache"] == "hit"
    other_host = app.test_client().get("/", headers={"Host": "other.example"})
    assert "X-Cache" not in other_host.headers   # not the site's host: rendered, never stored
    https = app.test_client().get("/", base_url="https://localhost")
    assert https.headers["X-Cache"] == "miss"


def test_no_server_can_hand_the_app_a_script_root_from_the_request(app: Any,
                                                                   database: Database) -> None:
    forged = app.test_client().get("/", environ_overrides={"SCRIPT_NAME": "//evil.example"})
    assert "//evil.example" not in forged.get_data(as_text=True)   # no link off the site
    elsewhere = app.test_client().get("/", environ_overrides={"SCRIPT_NAME": "/x"})
    assert elsewhere.status_code == 404     # /x/ is simply a path this site does not have
    assert 'href="/x' not in elsewhere.get_data(as_text=True)


# --- Rate limits behind the reverse proxy --------------------------------------------

def junk_sign_ins(visitor: Visitor, count: int) -> list[int]:
    return [visitor.sign_in(f"nobody{n}@example.test", "wrong guess").status
            for n in range(count)]


def test_behind_the_proxy_one_clients_junk_logins_do_not_lock_out_other_readers(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        make_account: Any) -> None:  # noqa: F811
    make_account("reader@example.test")
    attacker = Visitor(web.url, forwarded_for="198.51.100.7")
    assert junk_sign_ins(attacker, 31)[-1] == 429
    reader = Visitor(web.url, forwarded_for="203.0.113.20")
    assert reader.sign_in("reader@example.test").status == 302


def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address(
        web: WebProcess, database: Database, redis_client: redis.Redis) -> None:
    statuses = [Visitor(web.url, source="127.0.0.3", forwarded_for=f"198.51.100.{n}")
                .sign_in(f"nobody{n}@example.test", "wrong guess").status for n in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_proxy_hops_trust_only_the_address_the_proxy_appended(
        web: WebProcess, database: Database, redis_client: redis.Redis) -> None:
    """A client may send its own X-Forwarded-For; the proxy appends the address it saw.
    With one hop, only that last address counts."""
    statuses = [Visitor(web.url, forwarded_for=f"10.9.9.{n}, 198.51.100.7")
                .sign_in(f"nobody{n}@example.test", "wrong guess").status for n in range(31)]
    assert statuses[30] == 429
    neighbour = Visitor(web.url, forwarded_for="10.9.9.1, 203.0.113.99")
    assert neighbour.sign_in("someone@example.test", "wrong guess").status == 401


# --- Current-password guesses on the account page -------------------------------------

@pytest.mark.parametrize(("path", "prefix", "extra"), [
    ("/account/password", "password-", {"password-password": "a new long passphrase 42",
                                        "password-password_again": "a new long passphrase 42"}),
    ("/account/delete", "delete-", {"delete-confirm": "y"}),
])
def test_current_password_guesses_on_the_account_page_meet_429(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        make_account: Any, path: str, prefix: str, extra: dict[str, str]) -> None:  # noqa: F811
    make_account("victim@example.test")
    thief = Visitor(web.url)
    assert thief.sign_in("victim@example.test").status == 302
    statuses = [thief.post_form(path, {f"{prefix}current_password": f"guess {n}"} | extra,
                                form_page="/account", prefix=prefix).status
                for n in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


# --- The per-account sign-in limit must not lock the owner out -----------------------

def test_junk_logins_do_not_lock_the_owners_device_out_while_the_attacker_stays_limited(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        make_account: Any) -> None:  # noqa: F811
    make_account("admin@example.test", is_admin=True)
    owner = Visitor(web.url, forwarded_for="203.0.113.5")
    assert owner.sign_in("admin@example.test").status == 302
    assert owner.cookie("hopper_device")
    owner.post_form("/logout", {}, form_page="/account")
    assert owner.get("/account").status == 302            # signed out

    attacker = Visitor(web.url, forwarded_for="198.51.100.66")
    statuses = [attacker.sign_in("admin@example.test", f"guess {n}").status
                for n in range(11)]
    # The owner's first sign-in came from no known device: it spent one of the ten.
    assert statuses[:9] == [401] * 9 and statuses[10] == 429
    assert attacker.sign_in("admin@example.test").status == 429   # even the right one
    from_elsewhere = Visitor(web.url, forwarded_for="203.0.113.77")
    assert from_elsewhere.sign_in("admin@example.test").status == 429

    assert owner.sign_in("admin@example.test").status == 302
    assert owner.get("/account").status == 200


def test_a_device_cookie_for_one_account_does_not_help_against_another(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        make_account: Any) -> None:  # noqa: F811
    make_account("mallory@example.test")
    make_account("victim@example.test")
    mallory = Visitor(web.url)
    assert mallory.sign_in("mallory@example.test").status == 302
    statuses = [mallory.sign_in("victim@example.test", f"guess {n}").status
                for n in range(11)]
    assert statuses[10] == 429


# --- No 500s on out-of-range input ----------------------------------------------------

HUGE = str(2**64 + 7)


@pytest.mark.parametrize("path", [
    f"/?page={HUGE}", f"/video?page={HUGE}", f"/article/{HUGE}", f"/article/{HUGE}-slug",
    f"/source/{HUGE}", f"/discussion/{HUGE}", f"/sitemap-{HUGE}.xml", "/?page=0",
    f"/?page={'9' * 3000}",
])
def test_numbers_beyond_64_bits_are_a_normal_404_page(
        web: WebProcess, database: Database, redis_client: redis.Redis, rows: ArticleRows,
        path: str) -> None:
    rows.article("Only story")
    reply = Visitor(web.url).get(path)
    assert reply.status == 404
    if not path.endswith(".xml"):
        assert "</html>" in reply.text.lower()


def test_api_ids_beyond_64_bits_are_a_json_404(web: WebProcess, database: Database,
                                              redis_client: redis.Redis) -> None:
    reply = Visitor(web.url).get(f"/api/v1/articles/{HUGE}")
    assert reply.status == 404
    assert json.loads(reply.text)["error"]["code"] == "not_found"


def test_searching_up_to_the_last_day_of_9999_answers_a_page(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        rows: ArticleRows) -> None:
    rows.article("Budget vote")
    reply = Visitor(web.url).get("/search?q=budget&to=9999-12-31&from=0001-01-01")
    assert reply.status == 200 and "<mark>Budget</mark> vote" in reply.text


def _post_raw(base: str, path: str, *, content_type: str, body: bytes,
              length: int | None = None) -> Reply:
    """A POST whose Content-Length may announce more than is sent: the server must answer
    from the headers, as it should before reading 10 MB."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(body) if length is None else length))
        connection.putheader("User-Agent", FIREFOX)
        connection.endheaders(body)
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


def test_an_oversized_form_is_refused_unread_with_a_page_that_says_so(
        web: WebProcess, database: Database, redis_client: redis.Redis) -> None:
    """Past the body cap (2 MB), or a multipart field past 500 KB, the form is refused
    before it is parsed: the site's own 413 page, never a 500 or Werkzeug's bare one."""
    announced = _post_raw(web.url, "/contact", body=b"message=x",
                          content_type="application/x-www-form-urlencoded", length=10_000_000)
    boundary = "hopper-boundary"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n"
                 + "x" * 600_000 + f"\r\n--{boundary}--\r\n").encode()
    field = _post_raw(web.url, "/discussion/1/comments", body=multipart,
                      content_type=f"multipart/form-data; boundary={boundary}")
    for reply in (announced, field):
        assert reply.status == 413
        assert "larger than this site accepts" in reply.text
        assert "</html>" in reply.text.lower()


def test_a_deeply_nested_consent_cookie_is_ignored_not_a_crash(
        web: WebProcess, database: Database, redis_client: redis.Redis) -> None:
    visitor = Visitor(web.url)
    for value in ("[" * 3000, "%5B" * 1300, '{"v":' * 800):
        reply = visitor.get("/", Cookie=f"hopper_consent={value}")
        assert reply.status == 200
        assert "consent" in reply.text   # the banner asks again: silence is refusal


# --- Source URLs with credentials ----------------------------------------------------

def test_source_credentials_and_tokens_are_never_published(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        rows: ArticleRows) -> None:
    # A channel link often carries the feed's token too.
    source = rows.source("", url="https://user:s3cret@feeds.example:8443/feed?api_key=t0ken#x",
                         site_url="https://feeds.example/?site_token=t0ken")
    rows.article("Private feed story", source=source)
    visitor = Visitor(web.url)
    sources = json.loads(visitor.get("/api/v1/sources").text)["items"]
    assert sources[0]["url"] == "https://feeds.example:8443/feed"
    assert sources[0]["site_url"] == "https://feeds.example/"
    assert 'href="https://feeds.example/"' in visitor.get(f"/source/{source.id}").text
    pages = [visitor.get("/api/v1/sources").text, visitor.get("/feed.xml").text,
             visitor.get(f"/source/{source.id}").text, visitor.get("/").text]
    for text in pages:
        assert "s3cret" not in text and "t0ken" not in text and "user:" not in text
    assert 'url="https://feeds.example:8443/feed"' in visitor.get("/feed.xml").text


# --- RSS out: titles escaped ----------------------------------------------------------

def test_rss_titles_are_escaped_for_readers_that_render_them_as_html(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        rows: ArticleRows) -> None:
    rows.article('<img src=x onerror="alert(1)"> & friends')
    document = ET.fromstring(Visitor(web.url).get("/feed.xml").text.encode())  # noqa: S314
    title = document.findtext("channel/item/title")
    assert title == '&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; friends'


# --- The sitemap: an index of bounded children, cached by content version ------------

def test_the_sitemap_is_an_index_served_from_cache_until_the_content_version_moves(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        rows: ArticleRows) -> None:
    rows.article("First story")
    visitor = Visitor(web.url)
    index = ET.fromstring(visitor.get("/sitemap.xml").text.encode())  # noqa: S314
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    child = visitor.get("/sitemap-1.xml").text
    late = rows.article("Stored without a version bump")
    assert visitor.get("/sitemap-1.xml").text == child   # not rebuilt per request
    content_version.bump(redis_client)
    assert f"/article/{late.id}-" in visitor.get("/sitemap-1.xml").text
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in visitor.get("/robots.txt").text


def test_sitemap_children_hold_at_most_a_chunk_and_together_every_url(
        app: Any, rows: ArticleRows, monkeypatch: pytest.MonkeyPatch) -> None:
    from web.feeds import sitemap

    monkeypatch.setattr(sitemap, "CHUNK_URLS", 3)
    rows.section("sport")
    made = [rows.article(f"Story {n}") for n in range(6)]   # 1 home + 1 section + 6
    client = app.test_client()
    index = ET.fromstring(client.get("/sitemap.xml").data)  # noqa: S314
    children = [loc.text or "" for loc in index.iter(f"{{{SITEMAP_NS}}}loc")]
    assert [urllib.parse.urlsplit(c).path for c in children] == [
        "/sitemap-1.xml", "/sitemap-2.xml", "/sitemap-3.xml"]
    seen: list[str] = []
    for child in children:
        urlset = ET.fromstring(client.get(urllib.parse.urlsplit(child).path).data)  # noqa: S314
        locs = [loc.text or "" for loc in urlset.iter(f"{{{SITEMAP_NS}}}loc")]
        assert 1 <= len(locs) <= 3
        seen += locs
    assert len(seen) == len(set(seen)) == 8
    assert all(any(f"/article/{article.id}-" in loc for loc in seen) for article in made)
    assert client.get("/sitemap-4.xml").status_code == 404


# --- Views and shares ----------------------------------------------------------------

def counts_of(database: Database, article_id: int) -> tuple[int, int]:
    with session_scope(database, write=False) as session:
        found = session.get(Article, article_id)
        assert found is not None
        return found.view_count, found.share_count


def test_rotating_user_agents_from_one_address_count_one_view(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        rows: ArticleRows) -> None:
    from web.site import counting

    article = rows.article("Counted story")
    for n in range(10):
        Visitor(web.url, forwarded_for="198.51.100.50",
                user_agent=f"Mozilla/5.0 (X11; rv:{100 + n}.0) Firefox/{100 + n}.0") \
            .get(f"/article/{article.id}-counted-story")
    Visitor(web.url, forwarded_for="203.0.113.51").get(f"/article/{article.id}-counted-story")
    counting.flush_views(redis_client, database, force=True)
    assert counts_of(database, article.id)[0] == 2


def test_a_share_link_counts_once_per_visitor_per_hour_and_only_redirects(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        rows: ArticleRows) -> None:
    article = rows.article("Shared story")
    looping = Visitor(web.url, forwarded_for="198.51.100.60")
    for n in range(20):
        looping.headers["User-Agent"] = f"Mozilla/5.0 rv:{n}"
        reply = looping.get(f"/article/{article.id}/share/x")
        assert reply.status == 302 and reply.headers["Location"].startswith("https://x.com/")
    Visitor(web.url, forwarded_for="203.0.113.61").get(f"/article/{article.id}/share/x")
    assert counts_of(database, article.id)[1] == 2


# --- E-mails in the log when MAIL_URL is unset ---------------------------------------

def test_without_mail_url_the_verification_link_is_in_the_process_log(
        web: WebProcess, database: Database, redis_client: redis.Redis) -> None:
    email = f"new-{secrets.token_hex(4)}@example.test"
    reply = Visitor(web.url).post_form("/register", {
        "email": email, "password": "a long enough passphrase 77",
        "password_again": "a long enough passphrase 77", "accept_terms": "y"})
    assert reply.status == 200
    deadline = time.monotonic() + 15
    pattern = re.compile(r"To: " + re.escape(email) + r".*?(http://\S+/verify/\S+)", re.S)
    while time.monotonic() < deadline and not pattern.search(web.process.output()):
        time.sleep(0.1)
    assert pattern.search(web.process.output()), web.process.output()[-3000:]


# --- Signed-in pages are private -----------------------------------------------------

def test_signed_in_pages_are_private_and_never_stored(
        web: WebProcess, database: Database, redis_client: redis.Redis,
        make_account: Any, rows: ArticleRows) -> None:  # noqa: F811
    article = rows.article("Read while signed in")
    make_account("reader@example.test")
    reader = Visitor(web.url)
    assert reader.get("/").headers.get("Cache-Control") != "private, no-store"
    assert reader.sign_in("reader@example.test").status == 302
    for path in ("/", f"/article/{article.id}-read-while-signed-in", "/search?q=read",
                 "/about"):
        reply = reader.get(path)
        assert reply.status == 200, path
        assert reply.headers["Cache-Control"] == "private, no-store", path


# --- /metrics is not public ----------------------------------------------------------

def test_metrics_answer_loopback_and_the_token_but_not_a_public_client(
        web: WebProcess, database: Database, redis_client: redis.Redis) -> None:
    assert Visitor(web.url).get("/metrics").status == 200             # Prometheus on the box
    public = Visitor(web.url, forwarded_for="198.51.100.9")
    assert public.get("/metrics").status == 403
    assert "hopper_http_requests_total" not in public.get("/metrics").text
    assert public.get("/metrics", Authorization="Bearer wrong").status == 403
    assert public.get("/metrics", Authorization=f"Bearer {METRICS_TOKEN}").status == 200
