"""The media proxy's disk cache: sharded by the URL's hash, typed by its bytes, trimmed
oldest first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hopper import media_cache
from tests.pictures import png


def test_an_image_is_stored_sharded_by_the_hash_of_its_url_and_found_again(
        tmp_path: Path) -> None:
    url = "https://img.example/a.png"
    stored = media_cache.store(tmp_path, url, png())
    key = media_cache.url_key(url)
    assert stored.path == tmp_path / key[:2] / key[2:4] / key
    found = media_cache.find(tmp_path, url)
    assert found is not None
    assert (found.path, found.content_type, found.etag) == (stored.path, "image/png", key)
    assert media_cache.find(tmp_path, url + "?other") is None


@pytest.mark.parametrize(("head", "expected"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"\x00\x00\x00\x1cftypavif", "image/avif"),
    (b"<svg xmlns=", None),
    (b"<?xml version", None),
    (b"<!DOCTYPE html>", None),
])
def test_types_are_read_from_the_bytes_and_svg_is_never_one(head, expected) -> None:
    assert media_cache.image_type(head) == expected


def test_something_that_is_not_an_image_is_never_stored(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        media_cache.store(tmp_path, "https://img.example/a.svg", b"<svg></svg>")
    assert not list(tmp_path.rglob("*"))


def _aged(tmp_path: Path, count: int, size: int) -> list[Path]:
    """`count` cached images of about `size` bytes, the first the oldest."""
    paths = []
    for index in range(count):
        content = png() + b"\0" * (size - len(png()))
        path = media_cache.store(tmp_path, f"https://img.example/{index}.png", content).path
        os.utime(path, (1_000_000 + index, 1_000_000 + index))
        paths.append(path)
    return paths


def test_trim_deletes_the_oldest_images_until_under_the_budget(tmp_path: Path) -> None:
    paths = _aged(tmp_path, 10, 1000)
    result = media_cache.trim_cache(tmp_path, max_bytes=5000)
    assert result.kept_bytes <= 4500
    assert result.removed_files == 6 and result.removed_bytes == 6000
    assert [path.exists() for path in paths] == [False] * 6 + [True] * 4


def test_trim_leaves_a_cache_within_its_budget_alone(tmp_path: Path) -> None:
    paths = _aged(tmp_path, 3, 1000)
    result = media_cache.trim_cache(tmp_path, max_bytes=3000)
    assert (result.removed_files, result.kept_bytes) == (0, 3000)
    assert all(path.exists() for path in paths)


def test_trim_of_a_cache_never_written_does_nothing(tmp_path: Path) -> None:
    assert media_cache.trim_cache(tmp_path / "missing", 10).removed_files == 0


def test_the_maintenance_entry_point_trims_to_the_configured_megabytes(
        settings, tmp_path: Path) -> None:
    import dataclasses

    configured = dataclasses.replace(settings, instance_path=tmp_path, media_cache_mb=1)
    paths = _aged(configured.media_cache_path, 3, 600 * 1024)
    result = media_cache.trim_media_cache(configured)
    assert result.removed_files == 2 and paths[2].exists() and not paths[0].exists()


def test_every_write_keeps_the_cache_within_its_budget(tmp_path: Path) -> None:
    root = tmp_path / "media-cache"
    budget = 1024 * 1024
    for index in range(8):                                 # 8 × 300 KB into 1 MB
        media_cache.store(root, f"https://img.example/{index}.png",
                          png() + b"\0" * (300 * 1024), max_bytes=budget)
        stored = sum(path.stat().st_size for path in root.glob("*/*/*"))
        assert stored <= budget
    assert media_cache.find(root, "https://img.example/7.png") is not None   # newest kept
