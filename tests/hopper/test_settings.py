"""Configuration comes from the environment in one place (README.md, "Configuration")."""

from __future__ import annotations

import stat

import pytest

from hopper.settings import load_settings, redact_url


def test_defaults_are_embedded_and_the_secret_is_generated_once_with_mode_0600(tmp_path) -> None:
    instance = tmp_path / "inst"
    settings = load_settings({"HOPPER_INSTANCE": str(instance)})
    assert settings.database_url == f"sqlite:///{instance / 'hopper.db'}"
    assert settings.is_redis_embedded and settings.redis_url.startswith("unix://")
    assert settings.broker_url.startswith("redis+socket://")
    secret_file = instance / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    again = load_settings({"HOPPER_INSTANCE": str(instance)})
    assert again.secret_key == settings.secret_key and len(settings.secret_key) >= 32
    assert settings.base_url == "http://127.0.0.1:5000" and settings.site_name == "Hopper"
    assert settings.allow_private_networks is False


def test_urls_switch_backends_and_descriptions_never_show_passwords(tmp_path) -> None:
    settings = load_settings({
        "HOPPER_INSTANCE": str(tmp_path),
        "DATABASE_URL": "postgresql://hopper:s3cret@db.internal:5432/hopper",
        "REDIS_URL": "redis://:hunter2@cache.internal:6379/0",
    })
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.database_backend == "postgresql"
    described = str(settings.describe())
    assert "s3cret" not in described and "hunter2" not in described
    assert redact_url("redis://cache:6379/0") == "redis://cache:6379/0"


def test_policy_version_has_a_default_and_follows_the_environment(tmp_path) -> None:
    assert load_settings({"HOPPER_INSTANCE": str(tmp_path)}).policy_version == "2026-11-24"
    assert load_settings({"HOPPER_INSTANCE": str(tmp_path),
                          "HOPPER_POLICY_VERSION": " 2027-03-01 "}).policy_version == "2027-03-01"


def test_follow_links_and_contact_address_come_from_the_environment(tmp_path) -> None:
    settings = load_settings({
        "HOPPER_INSTANCE": str(tmp_path),
        "HOPPER_FOLLOW_LINKS": "X=https://x.com/foo, Telegram=https://t.me/foo,"
                               "Bad=javascript:alert(1),=https://nolabel.example,Junk",
        "HOPPER_CONTACT_EMAIL": " editors@example.test ",
    })
    assert settings.follow_links == (("X", "https://x.com/foo"), ("Telegram", "https://t.me/foo"))
    assert settings.contact_email == "editors@example.test"
    bare = load_settings({"HOPPER_INSTANCE": str(tmp_path)})
    assert bare.follow_links == () and bare.contact_email is None


def test_operations_settings_have_defaults_and_read_the_environment(tmp_path) -> None:
    defaults = load_settings({"HOPPER_INSTANCE": str(tmp_path)})
    assert (defaults.retention_days, defaults.consent_retention_days) == (90, 395)
    assert (defaults.tick_seconds, defaults.beat_lock_seconds) == (30, 30)
    assert defaults.limits.poll_hard_time_limit_s == 150
    tuned = load_settings({"HOPPER_INSTANCE": str(tmp_path), "HOPPER_RETENTION_DAYS": "30",
                           "HOPPER_CONSENT_RETENTION_DAYS": "200", "HOPPER_TICK_SECONDS": "2",
                           "HOPPER_BEAT_LOCK_SECONDS": "6",
                           "HOPPER_POLL_TIME_LIMIT_SECONDS": "20"})
    assert (tuned.retention_days, tuned.consent_retention_days) == (30, 200)
    # Ingest stores no new entry that retention would delete at once.
    assert (defaults.limits.retention_days, tuned.limits.retention_days) == (90, 30)
    assert (tuned.tick_seconds, tuned.beat_lock_seconds) == (2, 6)
    assert (tuned.limits.poll_hard_time_limit_s, tuned.limits.poll_soft_time_limit_s) == (20, 16)
    with pytest.raises(ValueError, match="HOPPER_TICK_SECONDS"):
        load_settings({"HOPPER_INSTANCE": str(tmp_path), "HOPPER_TICK_SECONDS": "0"})


def test_the_media_proxy_is_on_by_default_and_its_cache_size_is_configurable(tmp_path) -> None:
    default = load_settings({"HOPPER_INSTANCE": str(tmp_path), "SECRET_KEY": "k"})
    assert default.media_proxy is True and default.media_cache_mb == 1024
    assert default.media_cache_path == tmp_path / "media-cache"
    assert default.media_limits.max_image_bytes == 24 * 1024 * 1024
    assert default.media_limits.total_timeout_s <= 15
    off = load_settings({"HOPPER_INSTANCE": str(tmp_path), "SECRET_KEY": "k",
                         "HOPPER_MEDIA_PROXY": "0", "HOPPER_MEDIA_CACHE_MB": "50"})
    assert off.media_proxy is False and off.media_cache_mb == 50
    with pytest.raises(ValueError, match="HOPPER_MEDIA_CACHE_MB"):
        load_settings({"HOPPER_INSTANCE": str(tmp_path), "SECRET_KEY": "k",
                       "HOPPER_MEDIA_CACHE_MB": "-3"})


def test_proxy_and_metrics_settings_have_safe_defaults_and_read_the_environment(tmp_path) -> None:
    defaults = load_settings({"HOPPER_INSTANCE": str(tmp_path)})
    assert defaults.forwarded_allow_ips == ("127.0.0.1",) and defaults.proxy_hops == 1
    assert defaults.metrics_allow == ("127.0.0.0/8", "::1") and defaults.metrics_token is None
    configured = load_settings({
        "HOPPER_INSTANCE": str(tmp_path), "FORWARDED_ALLOW_IPS": "10.0.0.5, 10.1.0.0/16",
        "HOPPER_PROXY_HOPS": "2", "HOPPER_METRICS_ALLOW": "192.0.2.7",
        "HOPPER_METRICS_TOKEN": " s3cret ",
    })
    assert configured.forwarded_allow_ips == ("10.0.0.5", "10.1.0.0/16")
    assert configured.proxy_hops == 2
    assert configured.metrics_allow == ("192.0.2.7",) and configured.metrics_token == "s3cret"
    assert defaults.script_name == ""
    assert load_settings({"HOPPER_INSTANCE": str(tmp_path),
                          "HOPPER_SCRIPT_NAME": " news/ "}).script_name == "/news"
    with pytest.raises(ValueError, match="HOPPER_PROXY_HOPS"):
        load_settings({"HOPPER_INSTANCE": str(tmp_path), "HOPPER_PROXY_HOPS": "0"})
