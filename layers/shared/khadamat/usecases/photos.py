"""Pro photos (SPEC §18): upload slot, processing of an S3 ObjectCreated event, delete.

docs/pros.md "Photos" has the pipeline. Upload bucket (private): uploads/<proId>/<photoId>;
photos bucket (private, presigned GETs): photos/<proId>/<photoId>/full.jpg, thumb.jpg.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

from khadamat import config
from khadamat.adapters import storage
from khadamat.dal import photos as store
from khadamat.dal.users import UserItem, get_user
from khadamat.domain import photos as rules
from khadamat.domain.errors import Conflict, NotFound, Unprocessable
from khadamat.domain.images import NotAnImage, renditions
from khadamat.domain.timeutil import from_storage
from khadamat.observability import logger
from khadamat.usecases.pros import MAX_ID_LENGTH, photo_records, premium_active_for

# An upload slot not used within this time is dropped by the pro's next request for one.
ABANDONED_AFTER = timedelta(seconds=rules.UPLOAD_URL_SECONDS) + timedelta(minutes=15)


def start_upload(pro: UserItem, content_type: str, now: datetime) -> dict:
    """201 {id, url, fields, expiresIn}: a presigned POST for one photo, ≤ 5 MB; 409
    PHOTO_LIMIT when the pro has their limit already (pending uploads included)."""
    if content_type not in rules.CONTENT_TYPES:
        raise Unprocessable(f"contentType must be one of {', '.join(rules.CONTENT_TYPES)}")
    limit = rules.photo_limit(premium_active_for(pro, now))
    photo_id = str(uuid.uuid4())
    for _ in range(3):
        records = photo_records(pro)
        abandoned = [i for i, r in records.items() if r.get("status") == rules.PENDING
                     and from_storage(r["createdAt"]) + ABANDONED_AFTER <= now]
        if len(records) - len(abandoned) >= limit:
            raise Conflict(f"at most {limit} photos", "PHOTO_LIMIT")
        if store.reserve(pro, photo_id, limit, abandoned, now):
            break
        pro = get_user(pro.user_id)  # the map changed since it was read: decide again
    else:
        raise Conflict("too much contention, try again", "CONFLICT")
    post = storage.presigned_upload(rules.upload_key(pro.user_id, photo_id), content_type, 1,
                                    rules.MAX_UPLOAD_BYTES, rules.UPLOAD_URL_SECONDS,
                                    bucket=config.photo_uploads_bucket())
    return {"id": photo_id, "url": post["url"], "fields": post["fields"],
            "expiresIn": rules.UPLOAD_URL_SECONDS}


def _delete_files(pro_id: str, photo_id: str, uploads_bucket: str) -> None:
    storage.delete_all_versions(rules.upload_key(pro_id, photo_id), bucket=uploads_bucket)
    storage.delete_all_versions(rules.rendition_prefix(pro_id, photo_id), bucket=config.photos_bucket())


def delete_photo(pro: UserItem, photo_id: str) -> None:
    """204; every object of the photo (all versions, upload and renditions) is deleted."""
    if len(photo_id) > MAX_ID_LENGTH or not store.remove(pro.user_id, photo_id):
        raise NotFound("no such photo")
    _delete_files(pro.user_id, photo_id, config.photo_uploads_bucket())


def process_upload(bucket: str, key: str, now: datetime) -> str:
    """One S3 ObjectCreated record of the uploads bucket (``bucket``: from the event, so the
    function needs no reference to the bucket that notifies it). Returns what happened."""
    key = unquote_plus(key)  # S3 events carry keys URL-encoded
    parsed = rules.parse_upload_key(key)
    if parsed is None:
        return "ignored"
    pro_id, photo_id = parsed
    pro = get_user(pro_id)
    record = photo_records(pro).get(photo_id) if pro else None
    if record is None or record.get("status") != rules.PENDING:
        if record is None:  # deleted before it was processed, or never asked for
            _delete_files(pro_id, photo_id, bucket)
        return "unknown"
    data = storage.read_object(bucket, key, rules.MAX_UPLOAD_BYTES)
    try:
        images = renditions(data) if data is not None else None
    except NotAnImage:
        images = None
    if images is None:  # not an image (or too big): never shown; its slot is freed
        logger.info("photo upload dropped: not an image", extra={"photoId": photo_id})
        store.remove(pro_id, photo_id)
        _delete_files(pro_id, photo_id, bucket)
        return "dropped"
    photos_bucket = config.photos_bucket()
    storage.write_object(photos_bucket, rules.full_key(pro_id, photo_id), images.full, "image/jpeg")
    storage.write_object(photos_bucket, rules.thumb_key(pro_id, photo_id), images.thumb, "image/jpeg")
    if not store.mark_processed(pro_id, photo_id, images.width, images.height, now):
        _delete_files(pro_id, photo_id, bucket)  # deleted by the pro meanwhile
        return "deleted"
    # the original (with its EXIF) is not kept
    storage.delete_all_versions(rules.upload_key(pro_id, photo_id), bucket=bucket)
    return "processed"
