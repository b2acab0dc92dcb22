"""Real image files for tests that serve publishers' pictures: a solid-colour PNG of any
size, built with zlib (RFC 2083), so a browser really decodes and shows it."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    row = b"\x00" + bytes(rgb) * width                   # filter type 0, then pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(row * height, 9)) + _chunk(b"IEND", b""))
