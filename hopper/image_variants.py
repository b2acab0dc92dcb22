"""Reading and resizing publishers' images with Pillow, safely.

`inspect_image(content)` says what an image is (format, width, height) or raises
`NotAnImage`; `render_variant(content, width, fmt)` re-encodes it at most `width` pixels
wide as WebP or JPEG. Both refuse decompression bombs before decoding a pixel: the
header's dimensions are checked against `MAX_IMAGE_PIXELS` (Pillow's own check only
warns below twice its limit), and Pillow's warning is turned into a refusal too.

The widths a page may ask for are fixed (`VARIANT_WIDTHS`), so one URL has at most
len(VARIANT_WIDTHS) × 2 variants on disk, whatever a client asks for.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from hopper.widths import MIN_LEAD_HEIGHT, MIN_LEAD_WIDTH

VARIANT_WIDTHS = (160, 320, 640, 1280)
# 40 megapixels (e.g. 8000 × 5000) decode to ~160 MB of RGBA: the most a web worker
# should ever hold for one picture.
MAX_IMAGE_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
WEBP_QUALITY = 72
JPEG_QUALITY = 78
VARIANT_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg"}


class NotAnImage(ValueError):
    """Not an image Pillow can read, or too large to decode safely."""


@dataclass(frozen=True)
class ImageInfo:
    format: str            # Pillow's name: JPEG, PNG, GIF, WEBP…
    width: int
    height: int

    @property
    def is_tiny(self) -> bool:
        return self.width < MIN_LEAD_WIDTH or self.height < MIN_LEAD_HEIGHT


def _open(content: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as error:
        raise NotAnImage(f"not a readable image: {error}") from error
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
        raise NotAnImage(f"refused to decode a {width}×{height} image")
    return image


def inspect_image(content: bytes) -> ImageInfo:
    """Format and size from the header; nothing is decoded."""
    image = _open(content)
    return ImageInfo(image.format or "unknown", image.width, image.height)


def negotiated_format(accept: str) -> str:
    """WebP when the client says it takes it (every current browser does), else JPEG."""
    return "webp" if "image/webp" in accept.lower() else "jpeg"


def render_variant(content: bytes, width: int, fmt: str) -> bytes:
    """The image at most `width` pixels wide (never enlarged), as WebP or JPEG.

    The first frame of an animation; EXIF orientation applied; transparency kept in
    WebP and laid on white in JPEG."""
    if fmt not in VARIANT_TYPES:
        raise ValueError(f"unknown variant format {fmt!r}")
    image = _open(content)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if image.format == "JPEG":
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: far less work for a thumbnail.
                image.draft("RGB", (width, max(1, image.height * width // image.width)))
            image.load()
            image = ImageOps.exif_transpose(image)
            has_alpha = image.mode in ("RGBA", "LA") or (
                image.mode == "P" and "transparency" in image.info)
            image = image.convert("RGBA" if has_alpha else "RGB")
            if image.width > width:
                height = max(1, round(image.height * width / image.width))
                image = image.resize((width, height), Image.Resampling.LANCZOS,
                                     reducing_gap=3.0)
            if fmt == "jpeg" and image.mode == "RGBA":
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            out = io.BytesIO()
            if fmt == "webp":
                # libwebp's effort: 4 costs 4× method 2 on a large copy for ~4 % fewer
                # bytes (bench/media.py); small copies are cheap either way.
                method = 2 if image.width > 640 else 4
                image.save(out, "WEBP", quality=WEBP_QUALITY, method=method)
            else:
                image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True,
                           progressive=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise NotAnImage(f"cannot re-encode the image: {error}") from error
    return out.getvalue()
