"""Pro photos (SPEC §18) with real images made here with Pillow: upload slot, the S3 event
delivered by the local pump to the real processing handler, renditions, limits, delete."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest

from infra.bench.counting import counting
from PIL import ExifTags, Image

from infra.local.s3_pump import S3Pump
from khadamat import config
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import PREMIUM_FOREVER, code, make_pro, set_clock
from tests.integration.s3_fixtures import fresh_s3_client, s3  # noqa: F401  (fixtures)
from khadamat.dal.users import UserItem, user_key


def jpeg_with_gps(width: int, height: int) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telephone"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (33.0, 35.0, 12.0),
                                  ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (7.0, 36.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 90, 40)).save(out, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 20, 30, 128)).save(out, "PNG")
    return out.getvalue()


def upload(api, s3, pro, data: bytes, content_type="image/jpeg") -> str:
    """POST /pro/photos, then the upload the browser would POST to the presigned form (moto
    enforces no POST policy: put_object at the form's key), then S3's event, by the pump."""
    reply = api.post("/pro/photos", {"contentType": content_type}, token=pro.token)
    assert reply.status == 201, reply.body
    assert reply.body["expiresIn"] > 0 and reply.body["url"]
    fields = reply.body["fields"]
    assert fields["Content-Type"] == content_type and fields["key"] == f"uploads/{pro.id}/{reply.body['id']}"
    s3.put_object(Bucket=config.photo_uploads_bucket(), Key=fields["key"], Body=data, ContentType=content_type)
    return reply.body["id"]


def deliver(s3) -> int:
    return S3Pump(TEMPLATE, s3=s3).pump_once()


def fetch(s3, url: str) -> bytes:
    """The object a presigned GET url names (path-style or virtual-host style)."""
    parsed = urlparse(url)
    assert "X-Amz-Signature" in parsed.query and "X-Amz-Expires=7200" in parsed.query
    bucket = config.photos_bucket()
    key = parsed.path.lstrip("/").removeprefix(f"{bucket}/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def versions(s3, bucket: str, prefix: str) -> int:
    listing = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return len(listing.get("Versions", [])) + len(listing.get("DeleteMarkers", []))


@pytest.fixture
def pro(api):
    set_clock(api)
    return make_pro(api)


def test_a_gps_jpeg_comes_out_stripped_and_resized_with_a_thumbnail(api, s3, pro):
    photo_id = upload(api, s3, pro, jpeg_with_gps(4000, 3000))
    # not shown before it is processed
    assert api.get(f"/pros/{pro.id}").body["photos"] == []
    assert deliver(s3) == 1
    [photo] = api.get(f"/pros/{pro.id}").body["photos"]
    assert photo["id"] == photo_id
    full = Image.open(io.BytesIO(fetch(s3, photo["url"])))
    thumb = Image.open(io.BytesIO(fetch(s3, photo["thumbUrl"])))
    assert full.format == thumb.format == "JPEG"
    assert max(full.size) <= 1600 and full.size == (1600, 1200)
    assert max(thumb.size) <= 400
    for image in (full, thumb):
        assert not image.getexif() and "exif" not in image.info
    # the original (with its GPS) is gone from the uploads bucket
    assert versions(s3, config.photo_uploads_bucket(), f"uploads/{pro.id}/") == 0
    # the pro's own profile shows it too
    assert [p["id"] for p in api.get("/pro/profile", token=pro.token).body["photos"]] == [photo_id]
    # delivering the event again changes nothing
    assert deliver(s3) == 0


def test_a_non_image_never_appears_and_frees_its_slot(api, s3, pro):
    upload(api, s3, pro, b"%PDF-1.4 not an image at all", "image/png")
    upload(api, s3, pro, png(800, 600), "image/png")
    deliver(s3)
    photos = api.get(f"/pros/{pro.id}").body["photos"]
    assert len(photos) == 1
    assert Image.open(io.BytesIO(fetch(s3, photos[0]["url"]))).size == (800, 600)  # never enlarged
    assert versions(s3, config.photo_uploads_bucket(), f"uploads/{pro.id}/") == 0
    records = UserItem.get(*user_key(pro.id)).photos.as_dict()
    assert len(records) == 1


def test_three_photos_without_premium_twelve_with(api, s3, pro):
    for _ in range(3):
        upload(api, s3, pro, png(50, 50), "image/png")
    refused = api.post("/pro/photos", {"contentType": "image/jpeg"}, token=pro.token)
    assert (refused.status, code(refused)) == (409, "PHOTO_LIMIT")
    UserItem(*user_key(pro.id)).update(actions=[UserItem.premium_until.set(PREMIUM_FOREVER)])
    for _ in range(9):
        upload(api, s3, pro, png(50, 50), "image/png")
    refused = api.post("/pro/photos", {"contentType": "image/jpeg"}, token=pro.token)
    assert (refused.status, code(refused)) == (409, "PHOTO_LIMIT")
    deliver(s3)
    assert len(api.get(f"/pros/{pro.id}").body["photos"]) == 12


def test_bad_content_type_is_422(api, pro):
    for body in ({"contentType": "image/gif"}, {"contentType": "application/pdf"}, {}):
        reply = api.post("/pro/photos", body, token=pro.token)
        assert (reply.status, code(reply)) == (422, "VALIDATION_ERROR"), body


def test_delete_removes_every_object_and_version(api, s3, pro):
    photo_id = upload(api, s3, pro, jpeg_with_gps(1200, 900))
    deliver(s3)
    prefix = f"photos/{pro.id}/{photo_id}/"
    # an older version of the renditions too (e.g. processed twice)
    s3.put_object(Bucket=config.photos_bucket(), Key=prefix + "full.jpg", Body=b"older")
    assert versions(s3, config.photos_bucket(), prefix) == 3
    assert api.delete(f"/pro/photos/{photo_id}", token=pro.token).status == 204
    assert versions(s3, config.photos_bucket(), prefix) == 0
    assert api.get(f"/pros/{pro.id}").body["photos"] == []
    again = api.delete(f"/pro/photos/{photo_id}", token=pro.token)
    assert (again.status, code(again)) == (404, "NOT_FOUND")


def test_a_photo_deleted_before_processing_leaves_nothing(api, s3, pro):
    photo_id = upload(api, s3, pro, png(100, 100), "image/png")
    assert api.delete(f"/pro/photos/{photo_id}", token=pro.token).status == 204
    deliver(s3)
    assert versions(s3, config.photo_uploads_bucket(), f"uploads/{pro.id}/") == 0
    assert versions(s3, config.photos_bucket(), f"photos/{pro.id}/") == 0
    assert api.get(f"/pros/{pro.id}").body["photos"] == []


def test_public_profile_with_photos_is_still_one_request(api, s3, pro):

    upload(api, s3, pro, png(100, 100), "image/png")
    deliver(s3)
    with counting() as tally:  # DynamoDB requests, the local clock's reads aside
        reply = api.get(f"/pros/{pro.id}")
    assert len(reply.body["photos"]) == 1 and tally.operations == {"GetItem": 1}
