"""Re-encoding an uploaded photo with Pillow (SPEC §18): decode, drop EXIF/GPS, JPEG renditions.

Pure (bytes in, bytes out). Anything Pillow cannot decode, or a decompression bomb, is
`NotAnImage`. The orientation EXIF tag is applied to the pixels first, then every metadata
block (EXIF with GPS, XMP, ICC, comments) is left behind: only pixels are re-encoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from khadamat.domain.photos import FULL_MAX_PX, JPEG_QUALITY, MAX_PIXELS, THUMB_MAX_PX


class NotAnImage(ValueError):
    """The upload is not an image Pillow can decode (or is too large to decode safely)."""


@dataclass(frozen=True)
class Renditions:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _jpeg(image, max_px: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((max_px, max_px))  # keeps the aspect ratio, never enlarges
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif=, no icc_profile=
    return out.getvalue(), copy.width, copy.height


def renditions(data: bytes) -> Renditions:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError,
            SyntaxError) as error:
        raise NotAnImage(str(error)) from None
    full, width, height = _jpeg(image, FULL_MAX_PX)
    thumb, _w, _h = _jpeg(image, THUMB_MAX_PX)
    return Renditions(full, thumb, width, height)
