"""Pro photos over HTTP against the whole local stack: a real multipart upload to the presigned
POST, the local S3 event pump runs the processing function, the public profile shows the
renditions at urls readable without auth (SPEC §18)."""

from __future__ import annotations

import io
import time

from PIL import ExifTags, Image

from tests.e2e.flows import sign_up


def jpeg_with_gps(width: int, height: int) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 37.0, 48.0)}
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 220)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def wait_for_photos(stack, http, pro_id: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 20
    while True:
        photos = http.get(f"{stack}/pros/{pro_id}", timeout=10).json()["photos"]
        if len(photos) >= count or time.monotonic() > deadline:
            return photos
        time.sleep(0.2)


def test_upload_is_processed_by_the_s3_event_and_served_without_gps(stack, http):
    pro_id, headers = sign_up(stack, http, "PRO", city_id="rabat-sale")
    slot = http.post(f"{stack}/pro/photos", json={"contentType": "image/jpeg"}, headers=headers, timeout=10)
    assert slot.status_code == 201, slot.text
    presigned = slot.json()
    # more than 5 MB is refused by the POST policy (enforced like S3)
    too_big = http.post(presigned["url"], data=presigned["fields"],
                        files={"file": ("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1), "image/jpeg")}, timeout=60)
    assert too_big.status_code >= 400
    uploaded = http.post(presigned["url"], data=presigned["fields"],
                         files={"file": ("photo.jpg", jpeg_with_gps(3000, 2000), "image/jpeg")}, timeout=60)
    assert uploaded.status_code == 204, uploaded.text
    [photo] = wait_for_photos(stack, http, pro_id, 1)
    assert photo["id"] == presigned["id"]
    full = Image.open(io.BytesIO(http.get(photo["url"], timeout=10).content))   # no Authorization
    thumb = Image.open(io.BytesIO(http.get(photo["thumbUrl"], timeout=10).content))
    assert full.size == (1600, 1067) and max(thumb.size) == 400
    assert not full.getexif() and not thumb.getexif()
    assert http.delete(f"{stack}/pro/photos/{photo['id']}", headers=headers, timeout=10).status_code == 204
    assert http.get(f"{stack}/pros/{pro_id}", timeout=10).json()["photos"] == []
    assert http.get(photo["url"], timeout=10).status_code == 404
