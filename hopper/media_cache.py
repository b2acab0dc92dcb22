"""The media proxy's image cache on disk: `<instance>/media-cache/ab/cd/<sha256 of URL>`.

A file holds exactly the image bytes; its type is read back from its first bytes
(`image_type`), so no sidecar can disagree with the content. Only raster formats a
browser can show are recognised — SVG (which can carry script) never is.

`trim_media_cache(settings)` (`trim_cache(root, max_bytes)`) keeps the folder under its
budget by deleting the oldest files first. The budget holds on every write: `store`
given `max_bytes` adds the file's size to a ledger (`.usage`, under an flock, so every
process on the host adds up) and trims as soon as the ledger passes the budget, so a
source with thousands of distinct image URLs cannot outrun a periodic trim. The cache is
on each host's own disk, and so is its ledger.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hopper.settings import Settings

SNIFF_BYTES = 16
# Trimming goes a little below the budget so the next trim has something to do later.
TRIM_TARGET = 0.9


def image_type(head: bytes) -> str | None:
    """The MIME type of a raster image from its first bytes (WHATWG MIME Sniffing §6.1),
    or None when it is not one we serve."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "image/avif"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "image/x-icon"
    return None


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def cache_file(root: Path, url: str) -> Path:
    key = url_key(url)
    return root / key[:2] / key[2:4] / key


@dataclass(frozen=True)
class CachedImage:
    path: Path
    content_type: str
    etag: str


def find(root: Path, url: str) -> CachedImage | None:
    path = cache_file(root, url)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except (FileNotFoundError, NotADirectoryError):
        return None
    content_type = image_type(head)
    if content_type is None:          # never written by `store`; do not serve it
        return None
    return CachedImage(path, content_type, path.name)


def variant_key(url: str, width: int, fmt: str) -> str:
    """The cache key of a resized copy of `url` (hopper/image_variants.py)."""
    return f"{url}\x00w={width}&f={fmt}"


def store(root: Path, url: str, content: bytes, *, max_bytes: int | None = None
          ) -> CachedImage:
    """Write atomically (temp file + rename): a reader never sees half an image, and two
    requests storing the same URL at once both leave a whole file. With `max_bytes`, the
    cache is trimmed as soon as this write takes it over budget."""
    content_type = image_type(content[:SNIFF_BYTES])
    if content_type is None:
        raise ValueError("only recognised raster images are cached")
    path = cache_file(root, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if max_bytes is not None:
        count_written(root, len(content), max_bytes)
    return CachedImage(path, content_type, path.name)


USAGE_LEDGER = ".usage"


def count_written(root: Path, size: int, max_bytes: int) -> TrimResult | None:
    """Add `size` to the ledger of bytes in the cache and trim when it passes `max_bytes`.

    The ledger only ever over-counts (a rewritten file counts twice, a file deleted by
    hand still counts), so the cache never exceeds its budget by more than the write in
    progress; every trim rescans the folder and resets the ledger to the true size."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / USAGE_LEDGER).open("a+b") as ledger:
        fcntl.flock(ledger, fcntl.LOCK_EX)    # released when the file closes
        ledger.seek(0)
        recorded = ledger.read().strip()
        if recorded.isdigit():
            used = int(recorded) + size
            result = None
        else:                                  # no ledger yet: count what is there
            result = trim_cache(root, max_bytes)
            used = result.kept_bytes
        if used > max_bytes:
            result = trim_cache(root, max_bytes)
            used = result.kept_bytes
        ledger.seek(0)
        ledger.truncate()
        ledger.write(str(used).encode())
    return result


@dataclass(frozen=True)
class TrimResult:
    removed_files: int
    removed_bytes: int
    kept_bytes: int


def trim_cache(root: Path, max_bytes: int) -> TrimResult:
    """Delete the oldest cached images (by modification time) until the cache holds at
    most 90 % of `max_bytes`; nothing is deleted while it is within `max_bytes`."""
    files = []
    total = 0
    for path in root.glob("*/*/*") if root.is_dir() else ():
        try:
            stat = path.stat()
        except FileNotFoundError:     # trimmed or replaced meanwhile
            continue
        files.append((stat.st_mtime, stat.st_size, path))
        total += stat.st_size
    if total <= max_bytes:
        return TrimResult(0, 0, total)
    target = int(max_bytes * TRIM_TARGET)
    removed_files = removed_bytes = 0
    for _mtime, size, path in sorted(files):
        if total <= target:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed_files += 1
        removed_bytes += size
    return TrimResult(removed_files, removed_bytes, total)


def trim_media_cache(settings: Settings) -> TrimResult:
    """The maintenance entry point: trim `<instance>/media-cache` to HOPPER_MEDIA_CACHE_MB."""
    return trim_cache(settings.media_cache_path, settings.media_cache_bytes)
