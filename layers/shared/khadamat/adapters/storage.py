"""S3 adapter of the private KYC bucket: presigned POST/GET, presence checks, purge.

The client is created lazily (moto's in-process mock must be active first, TRAPS.md).
With AWS_ENDPOINT_URL set (the local stack's embedded AWS), botocore sends every call
there and presigned URLs point at it too (path-style, since the host is an IP:port).
Locally the embedded AWS enforces the presigned POST's policy like S3 does
(infra/local/s3_post_policy.py); moto alone would not.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from khadamat import config

_lock = threading.Lock()
_client = None


class StorageError(RuntimeError):
    """S3 refused or failed a call; the caller decides whether to retry later."""


def s3():
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                import boto3
                from botocore.config import Config

                addressing = "path" if os.environ.get("AWS_ENDPOINT_URL") else "auto"
                _client = boto3.client("s3", region_name=config.region(), config=Config(
                    signature_version="s3v4", s3={"addressing_style": addressing},
                    retries={"max_attempts": 3, "mode": "standard"}))
    return _client


def reset_client() -> None:
    """Forget the cached client (tests that start a new mock)."""
    global _client
    _client = None


def presigned_upload(key: str, content_type: str, min_bytes: int, max_bytes: int,
                     expires_in: int, bucket: str | None = None) -> dict:
    """A presigned POST whose policy S3 enforces: this exact key, this Content-Type, this size range.
    ``bucket``: the KYC bucket unless given (the pro photos' upload bucket, SPEC §18)."""
    bucket = bucket or config.kyc_bucket()
    post = s3().generate_presigned_post(
        Bucket=bucket, Key=key, Fields={"Content-Type": content_type},
        # botocore adds {"bucket"}, {"key"} (exact) and the x-amz-* fields itself
        Conditions=[["eq", "$Content-Type", content_type],
                    ["content-length-range", min_bytes, max_bytes]],
        ExpiresIn=expires_in)
    return {"url": post["url"], "fields": post["fields"]}


def presigned_read(key: str, expires_in: int, *, version_id: str | None = None,
                   bucket: str | None = None) -> str:
    """A presigned GET of the object (of that exact version when given: a later write to the key
    does not change what it reads); the KYC bucket unless ``bucket`` is named."""
    params = {"Bucket": bucket or config.kyc_bucket(), "Key": key}
    if version_id:
        params["VersionId"] = version_id
    return s3().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def current_objects(prefix: str) -> list[dict]:
    """The current version of every object under ``prefix``: {"key", "versionId", "lastModified"}."""
    from botocore.exceptions import BotoCoreError, ClientError

    found = []
    try:
        pages = s3().get_paginator("list_object_versions").paginate(Bucket=config.kyc_bucket(),
                                                                    Prefix=prefix)
        for page in pages:
            found += [{"key": v["Key"], "versionId": v["VersionId"], "lastModified": v["LastModified"]}
                      for v in page.get("Versions", []) if v.get("IsLatest")]
    except (BotoCoreError, ClientError) as error:
        raise StorageError(f"listing {prefix} failed: {error}") from error
    return found


def delete_all_versions(prefix: str, keep: Callable[[str, str], bool] | None = None,
                        bucket: str | None = None) -> int:
    """Physically delete every version and delete marker under ``prefix`` (in the KYC bucket
    unless ``bucket`` is named) but those ``keep(key, versionId)`` spares; returns how many.

    Idempotent: nothing left → 0. Raises StorageError when any deletion failed.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    bucket = bucket or config.kyc_bucket()
    deleted = 0
    try:
        pages = s3().get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            targets = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                       for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                       if keep is None or not keep(v["Key"], v["VersionId"])]
            if not targets:
                continue
            answer = s3().delete_objects(Bucket=bucket, Delete={"Objects": targets, "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise StorageError(f"DeleteObjects failed for {len(answer['Errors'])} versions, "
                                   f"first {first.get('Key')}: {first.get('Code')}")
            deleted += len(targets)
    except (BotoCoreError, ClientError) as error:
        raise StorageError(f"purge of {prefix} failed: {error}") from error
    return deleted


def read_object(bucket: str, key: str, max_bytes: int) -> bytes | None:
    """The object's bytes; None when it is gone or larger than ``max_bytes``."""
    from botocore.exceptions import ClientError

    try:
        answer = s3().get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise StorageError(f"GetObject {key} failed: {error}") from error
    if answer.get("ContentLength", 0) > max_bytes:
        return None
    data = answer["Body"].read()
    return data if 0 < len(data) <= max_bytes else None


def write_object(bucket: str, key: str, body: bytes, content_type: str) -> None:
    s3().put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
