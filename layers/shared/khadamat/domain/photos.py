"""Pro photos (SPEC §18, "Profil enrichi"): limits, keys, renditions. Pure.

Upload: a presigned POST into the private uploads bucket, key uploads/<proId>/<photoId>.
Processing (S3 ObjectCreated → ProcessProPhotoFunction): decoded with Pillow, EXIF/GPS dropped,
re-encoded as JPEG ≤ 1600 px and a ≤ 400 px thumbnail into the private photos bucket,
photos/<proId>/<photoId>/full.jpg and thumb.jpg, served through presigned GETs.
"""

from __future__ import annotations

CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_URL_SECONDS = 900
READ_URL_SECONDS = 2 * 3600  # SPEC: readable ≥ 1 hour
PHOTOS_WITHOUT_PREMIUM = 3
PHOTOS_WITH_PREMIUM = 12
FULL_MAX_PX = 1600
THUMB_MAX_PX = 400
JPEG_QUALITY = 85
# Pillow refuses bigger images (decompression bombs): 5 MB of JPEG can hold a huge canvas.
MAX_PIXELS = 40_000_000

PENDING = "PENDING"
PROCESSED = "PROCESSED"


def photo_limit(premium: bool) -> int:
    return PHOTOS_WITH_PREMIUM if premium else PHOTOS_WITHOUT_PREMIUM


def upload_key(pro_id: str, photo_id: str) -> str:
    return f"uploads/{pro_id}/{photo_id}"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(proId, photoId) of an upload key, None for anything else."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "uploads" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def rendition_prefix(pro_id: str, photo_id: str) -> str:
    return f"photos/{pro_id}/{photo_id}/"


def full_key(pro_id: str, photo_id: str) -> str:
    return rendition_prefix(pro_id, photo_id) + "full.jpg"


def thumb_key(pro_id: str, photo_id: str) -> str:
    return rendition_prefix(pro_id, photo_id) + "thumb.jpg"
