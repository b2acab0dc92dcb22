"""Deployment settings, read from the environment once (README.md, "Configuration").

Every process (web, worker, beat, CLI) builds one `Settings` at start and passes it
down; no step reads `os.environ` on its own.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

EMBEDDED_REDIS_SOCKET = "redis.sock"
DEFAULT_POLICY_VERSION = "2026-11-24"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_SITE_NAME = "Hopper"
# The database backends Hopper ships migrations and drivers for (docs/operations.md).
DATABASE_SCHEMES = ("sqlite", "postgresql")
WEBSUB_MODES = ("auto", "0", "1")


class SettingError(ValueError):
    """A setting the deployment cannot run with: the message names the variable, says
    what it must be and what it was (never a password), so a process can stop at
    start-up with that one line."""


@dataclass(frozen=True)
class Limits:
    """Named limits for the ingest pipeline; literals never hide inside steps."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    total_timeout_s: float = 45.0
    max_body_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    min_interval_minutes: int = 10
    max_interval_minutes: int = 24 * 60
    max_backoff_minutes: int = 24 * 60
    poll_soft_time_limit_s: int = 120
    poll_hard_time_limit_s: int = 150
    # A source whose hub pushes (an active WebSub subscription) is still polled, this
    # slowly, in case the hub misses an update.
    push_fallback_poll_minutes: int = 6 * 60
    # A story stays open to new coverage this long after its last article
    # (HOPPER_STORY_WINDOW_HOURS).
    story_window_hours: int = 48
    # Articles are kept this long after publication (HOPPER_RETENTION_DAYS): a new entry
    # published before that is not stored, or retention would delete it and the next
    # poll bring it back as new, again and again (a back catalogue, a date of 1900).
    retention_days: int = 90

    @property
    def story_window(self) -> timedelta:
        return timedelta(hours=self.story_window_hours)

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)


@dataclass(frozen=True)
class MediaLimits:
    """The media proxy's limits: short, so a slow publisher never holds a web worker."""

    connect_timeout_s: float = 5.0
    total_timeout_s: float = 15.0
    # A camera's original at full size (a 24-45 MP JPEG weighs 10-25 MB) is what some
    # feeds link as their lead image: it is fetched once, then served resized. (Decoding
    # is bounded by pixels, hopper/image_variants.py, and JPEGs decode at reduced size.)
    max_image_bytes: int = 24 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True)
class WebSub:
    """WebSub push (docs/operations.md, "WebSub push"): hubs can only call back a public
    base URL, so push is on by default only when HOPPER_BASE_URL is public."""

    is_enabled: bool = False
    lease_seconds: int = 7 * 24 * 3600          # asked of hubs; a hub may grant less
    max_body_bytes: int = 2 * 1024 * 1024       # a delivered feed larger than this: 413


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str
    is_redis_embedded: bool
    secret_key: str
    base_url: str
    site_name: str
    allow_private_networks: bool
    mail_url: str | None
    log_json: bool
    # Version of the Terms, Privacy Policy and cookie notice: recorded with every sign-up and
    # consent; raising it asks every visitor for their cookie choice again.
    policy_version: str = DEFAULT_POLICY_VERSION
    limits: Limits = field(default_factory=Limits)
    # Where the contact form's messages go; unset → the first admin's address.
    contact_email: str | None = None
    # "Follow Us" links in the footer, in the operator's order: (label, url).
    follow_links: tuple[tuple[str, str], ...] = ()
    # Operations (docs/operations.md): how long data is kept, how often the beat ticks.
    retention_days: int = 90
    consent_retention_days: int = 395          # about 13 months, per the privacy policy
    tick_seconds: int = 30
    beat_lock_seconds: int = 30                # a standby beat takes over within this
    # Requests at once to one host, across every process (hopper/host_slots.py).
    per_host_concurrency: int = 2

    # Publishers' images are served through /media/… (first party) unless turned off.
    media_proxy: bool = True
    # The on-disk image cache is trimmed (oldest first) to this many megabytes.
    media_cache_mb: int = 1024
    media_limits: MediaLimits = field(default_factory=MediaLimits)
    # Upstream image fetches at once across all web processes (keep it below the number
    # of web workers: beyond it the proxy answers a placeholder at once, never waits).
    media_fetch_slots: int = 2
    websub: WebSub = field(default_factory=WebSub)

    # Behind a reverse proxy (docs/operations.md, "Behind a reverse proxy"): only these
    # peers may say who the client is (X-Forwarded-For), and only the last `proxy_hops`
    # addresses they append are believed.
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1",)
    proxy_hops: int = 1
    # The path the site is mounted under ("" or e.g. "/news"): configured, never taken
    # from a request header.
    script_name: str = ""
    # /metrics answers these client addresses (IPs or CIDR networks), or a bearer token.
    metrics_allow: tuple[str, ...] = ("127.0.0.0/8", "::1")
    metrics_token: str | None = None

    @property
    def media_cache_bytes(self) -> int:
        return self.media_cache_mb * 1024 * 1024

    @property
    def media_cache_path(self) -> Path:
        return self.instance_path / "media-cache"

    @property
    def broker_url(self) -> str:
        """Kombu spells a unix socket `redis+socket://`; redis-py spells it `unix://`."""
        if self.redis_url.startswith("unix://"):
            return "redis+socket://" + self.redis_url[len("unix://") :]
        return self.redis_url

    @property
    def database_backend(self) -> str:
        return self.database_url.split(":", 1)[0].split("+", 1)[0]

    @property
    def redis_backend(self) -> str:
        return "embedded" if self.is_redis_embedded else "redis"

    def describe(self) -> dict[str, str]:
        """Backends in use, safe to show: never a password."""
        return {
            "database": self.database_backend,
            "database_url": redact_url(self.database_url),
            "redis": self.redis_backend,
            "redis_url": redact_url(self.redis_url),
        }


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else f"***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def parse_follow_links(value: str | None) -> tuple[tuple[str, str], ...]:
    """`HOPPER_FOLLOW_LINKS="X=https://x.com/foo,Telegram=https://t.me/foo"` → pairs.

    Only http(s) URLs are kept: the footer must never carry a `javascript:` link."""
    links = []
    for item in (value or "").split(","):
        label, _, url = item.partition("=")
        label, url = label.strip(), url.strip()
        if label and urlsplit(url).scheme in {"http", "https"}:
            links.append((label, url))
    return tuple(links)


_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test",
                     ".example", ".invalid")


def is_public_base_url(url: str) -> bool:
    """Whether a hub on the internet could reach `url`: not loopback, private or
    link-local, not `localhost` nor a special-use or single-label name (RFC 6761).
    Names are judged without DNS: settings load must not wait on the network."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return bool(host) and "." in host and host != "localhost" \
            and not host.endswith(_PRIVATE_SUFFIXES)
    return address.is_global and not (address.is_private or address.is_loopback
                                      or address.is_link_local or address.is_multicast)


def _websub(env: Mapping[str, str], base_url: str) -> WebSub:
    """HOPPER_WEBSUB: `auto` (default: on when the base URL is public), `1` or `0`."""
    mode = (env.get("HOPPER_WEBSUB") or "auto").strip().lower()
    if mode not in WEBSUB_MODES:
        raise SettingError(f"HOPPER_WEBSUB must be one of {', '.join(WEBSUB_MODES)}, "
                           f"not {mode!r}")
    is_enabled = is_public_base_url(base_url) if mode == "auto" else mode == "1"
    return WebSub(is_enabled=is_enabled)


def parse_script_name(value: str | None) -> str:
    """`news`, `/news/` → `/news`; empty → "" (mounted at the root)."""
    stripped = (value or "").strip().strip("/")
    return "/" + stripped if stripped else ""


def _address_list(env: Mapping[str, str], name: str,
                  default: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of IPs or CIDR networks (or `*`); empty → the default.
    Checked here, so a typo stops the process at start-up, not every request later."""
    items = tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingError(f"{name} must be comma-separated IP addresses or CIDR "
                               f"networks (or *), not {item!r}") from None
    return items or default


def _database_url(env: Mapping[str, str], instance_path: Path) -> str:
    """DATABASE_URL, with the `postgres(ql)://` spellings given the driver Hopper ships."""
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'hopper.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    scheme, separator, _ = database_url.partition("://")
    if not separator or scheme.split("+", 1)[0] not in DATABASE_SCHEMES:
        raise SettingError("DATABASE_URL must be a sqlite:///PATH or postgresql://USER@HOST/"
                           f"DATABASE URL, not {redact_url(database_url)!r}")
    return database_url


def _default(name: str) -> int:
    """A Settings field's default: written once, on the dataclass."""
    value = Settings.__dataclass_fields__[name].default
    assert isinstance(value, int), name
    return value


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingError(f"{name} must be a positive whole number, not {raw!r}")
    return value


def _limits(env: Mapping[str, str]) -> Limits:
    """The defaults, except the story window, the retention and a poll's hard time limit
    (soft limit at 80 %) when HOPPER_POLL_TIME_LIMIT_SECONDS says; poll locks and leases
    scale with it."""
    default = replace(Limits(), story_window_hours=_positive_int(
        env, "HOPPER_STORY_WINDOW_HOURS", Limits.story_window_hours),
        retention_days=_positive_int(env, "HOPPER_RETENTION_DAYS", Limits.retention_days))
    hard = _positive_int(env, "HOPPER_POLL_TIME_LIMIT_SECONDS", default.poll_hard_time_limit_s)
    if hard == default.poll_hard_time_limit_s:
        return default
    return replace(default, poll_hard_time_limit_s=hard,
                   poll_soft_time_limit_s=max(1, hard * 4 // 5))


def read_secret_key(instance_path: Path) -> str:
    """Read the generated secret, creating it (mode 0600) on first start."""
    path = instance_path / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# Read by the Procfile's processes themselves (gunicorn, celery, web/gunicorn_conf.py),
# not by Hopper's code: checked here too, so that `hopper up` refuses a bad value in one
# line before it starts anything, instead of gunicorn printing a traceback.
_PROCESS_VARIABLES = ("WEB_CONCURRENCY", "HOPPER_WEB_TIMEOUT", "HOPPER_MAX_REQUESTS",
                      "HOPPER_WORKER_CONCURRENCY", "HOPPER_WORKER_MAX_TASKS")


def _check_process_variables(env: Mapping[str, str]) -> None:
    for name in _PROCESS_VARIABLES:
        _positive_int(env, name, 1)
    port = (env.get("PORT") or "").strip()
    # isascii: str.isdigit() also takes '²' (int() refuses it) and other scripts' digits.
    if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise SettingError(f"PORT must be a TCP port number (1-65535), not {port!r}")


def _base_url(env: Mapping[str, str]) -> str:
    """The site's public address, without a trailing slash: every absolute link (feeds,
    the sitemap, emails) starts with it, so it must be one."""
    value = (env.get("HOPPER_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
    try:
        parts = urlsplit(value)
        # (`port` raises ValueError on a port that is no number or out of range.)
        is_address = parts.scheme in {"http", "https"} and bool(parts.hostname) \
            and not parts.query and not parts.fragment and (parts.port is None or parts.port > 0)
    except ValueError:
        is_address = False
    if not is_address:
        raise SettingError("HOPPER_BASE_URL must be the site's http(s) address, like "
                           f"https://news.example, not {value!r}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    instance_path = Path(env.get("HOPPER_INSTANCE") or "instance").resolve()
    try:
        instance_path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SettingError(f"HOPPER_INSTANCE: cannot make the folder {instance_path}: "
                           f"{error.strerror or error}") from error
    database_url = _database_url(env, instance_path)
    redis_url = env.get("REDIS_URL") or ""
    is_embedded = not redis_url
    if is_embedded:
        redis_url = f"unix://{instance_path / EMBEDDED_REDIS_SOCKET}"
    base_url = _base_url(env)
    _check_process_variables(env)
    limits = _limits(env)
    return Settings(
        instance_path=instance_path,
        database_url=database_url,
        redis_url=redis_url,
        is_redis_embedded=is_embedded,
        secret_key=env.get("SECRET_KEY") or read_secret_key(instance_path),
        base_url=base_url,
        site_name=env.get("HOPPER_SITE_NAME") or DEFAULT_SITE_NAME,
        allow_private_networks=_flag(env.get("HOPPER_ALLOW_PRIVATE_NETWORKS")),
        mail_url=env.get("MAIL_URL") or None,
        log_json=_flag(env.get("HOPPER_LOG_JSON")),
        policy_version=(env.get("HOPPER_POLICY_VERSION") or DEFAULT_POLICY_VERSION).strip(),
        contact_email=(env.get("HOPPER_CONTACT_EMAIL") or "").strip() or None,
        follow_links=parse_follow_links(env.get("HOPPER_FOLLOW_LINKS")),
        limits=limits,
        retention_days=limits.retention_days,
        consent_retention_days=_positive_int(env, "HOPPER_CONSENT_RETENTION_DAYS",
                                             _default("consent_retention_days")),
        tick_seconds=_positive_int(env, "HOPPER_TICK_SECONDS", _default("tick_seconds")),
        beat_lock_seconds=_positive_int(env, "HOPPER_BEAT_LOCK_SECONDS",
                                        _default("beat_lock_seconds")),
        per_host_concurrency=_positive_int(env, "HOPPER_PER_HOST_CONCURRENCY",
                                           _default("per_host_concurrency")),
        media_proxy=_flag(env.get("HOPPER_MEDIA_PROXY") or "1"),
        media_cache_mb=_positive_int(env, "HOPPER_MEDIA_CACHE_MB", _default("media_cache_mb")),
        media_fetch_slots=_positive_int(env, "HOPPER_MEDIA_FETCH_SLOTS",
                                        _default("media_fetch_slots")),
        websub=_websub(env, base_url),
        forwarded_allow_ips=_address_list(env, "FORWARDED_ALLOW_IPS", ("127.0.0.1",)),
        proxy_hops=_positive_int(env, "HOPPER_PROXY_HOPS", 1),
        script_name=parse_script_name(env.get("HOPPER_SCRIPT_NAME")),
        metrics_allow=_address_list(env, "HOPPER_METRICS_ALLOW",
                                    ("127.0.0.0/8", "::1")),
        metrics_token=(env.get("HOPPER_METRICS_TOKEN") or "").strip() or None,
    )
