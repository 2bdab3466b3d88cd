"""The embedded AWS refuses presigned POST uploads that break their policy, as S3 does.

moto alone stores them all with 204 (TRAPS.md); infra/local/s3_post_policy.py sits in
front of it. These tests upload for real, over HTTP, to the embedded AWS.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests
from botocore.config import Config

from infra.local.aws import EmbeddedAws
from infra.local.s3_post_policy import PolicyViolation, enforce

BUCKET = "policy-test"
KEY = "kyc/pro-1/CIN_FRONT"
MAX = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def s3():
    with EmbeddedAws() as aws:
        client = boto3.client("s3", endpoint_url=aws.endpoint, region_name="eu-west-3",
                              aws_access_key_id="testing", aws_secret_access_key="testing",
                              config=Config(signature_version="s3v4",
                                            s3={"addressing_style": "path"}))
        client.create_bucket(Bucket=BUCKET,
                             CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        yield client


def presign(s3, key=KEY, content_type="image/jpeg", expires_in=600):
    return s3.generate_presigned_post(
        Bucket=BUCKET, Key=key, Fields={"Content-Type": content_type},
        Conditions=[{"bucket": BUCKET}, ["eq", "$key", key], ["eq", "$Content-Type", content_type],
                    ["content-length-range", 1, MAX]], ExpiresIn=expires_in)


def upload(post, data: bytes, **field_changes):
    fields = {**post["fields"], **field_changes}
    return requests.post(post["url"], data=fields, files={"file": ("doc.jpg", data)}, timeout=30)


def error_code(response) -> str:
    return response.text.split("<Code>")[1].split("</Code>")[0]


def test_good_upload_is_stored(s3):
    # Given a presigned POST for a JPEG; When a 1 KB file is posted with its fields
    response = upload(presign(s3), b"x" * 1024)
    # Then S3 answers 204 and the object is there with the declared type
    assert response.status_code == 204, response.text
    head = s3.head_object(Bucket=BUCKET, Key=KEY)
    assert head["ContentLength"] == 1024 and head["ContentType"] == "image/jpeg"


def test_eleven_megabytes_is_entity_too_large(s3):
    response = upload(presign(s3, key="kyc/pro-1/big"), b"x" * (11 * 1024 * 1024))
    assert response.status_code == 400 and error_code(response) == "EntityTooLarge"
    assert "<MaxSizeAllowed>10485760</MaxSizeAllowed>" in response.text
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="kyc/pro-1/big")


def test_empty_file_is_entity_too_small(s3):
    response = upload(presign(s3, key="kyc/pro-1/empty"), b"")
    assert response.status_code == 400 and error_code(response) == "EntityTooSmall"


def test_changed_content_type_is_access_denied(s3):
    # Given a policy for image/jpeg; When the form says application/pdf
    response = upload(presign(s3, key="kyc/pro-1/type"), b"%PDF", **{"Content-Type": "application/pdf"})
    # Then the condition fails like on S3
    assert response.status_code == 403 and error_code(response) == "AccessDenied"
    assert "Policy Condition failed" in response.text and "Content-Type" in response.text


def test_changed_key_is_access_denied(s3):
    # Another pro's prefix with a policy signed for pro-1's exact key
    response = upload(presign(s3), b"x", key="kyc/pro-2/CIN_FRONT")
    assert response.status_code == 403 and error_code(response) == "AccessDenied"
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="kyc/pro-2/")


def test_tampered_policy_is_refused(s3):
    # Given a policy rewritten to allow 1 GB, keeping the original signature
    post = presign(s3, key="kyc/pro-1/tampered")
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    policy["conditions"] = [c if not (isinstance(c, list) and c[0] == "content-length-range")
                            else ["content-length-range", 0, 2**30] for c in policy["conditions"]]
    forged = base64.b64encode(json.dumps(policy).encode()).decode()
    response = upload(post, b"x", policy=forged)
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch"


def test_expired_policy_is_access_denied(s3):
    response = upload(presign(s3, key="kyc/pro-1/late", expires_in=-60), b"x")
    assert response.status_code == 403 and error_code(response) == "AccessDenied"
    assert "Policy expired" in response.text


def test_field_outside_the_policy_is_access_denied(s3):
    response = upload(presign(s3, key="kyc/pro-1/extra"), b"x", **{"x-amz-meta-owner": "me"})
    assert response.status_code == 403 and "Extra input fields: x-amz-meta-owner" in response.text


def test_unsigned_or_broken_forms_are_refused(s3):
    url = presign(s3)["url"]
    anonymous = requests.post(url, data={"key": "kyc/x/SELFIE"}, files={"file": ("a", b"x")}, timeout=10)
    assert anonymous.status_code == 403 and error_code(anonymous) == "AccessDenied"
    broken = requests.post(url, data=b"--nope\r\ngarbage", timeout=10,
                           headers={"Content-Type": "multipart/form-data; boundary=nope"})
    assert broken.status_code in (400, 403) and "<Error>" in broken.text


def test_other_s3_and_dynamodb_calls_pass_through(s3):
    s3.put_object(Bucket=BUCKET, Key="plain", Body=b"direct")
    assert s3.get_object(Bucket=BUCKET, Key="plain")["Body"].read() == b"direct"


# ----------------------------------------------------------------- the checks, without HTTP


def _fields(s3, **overrides):
    post = presign(s3)
    return {**post["fields"], **overrides}


@pytest.mark.parametrize("size,code", [(0, "EntityTooSmall"), (MAX + 1, "EntityTooLarge")])
def test_size_bounds_are_inclusive_limits(s3, size, code):
    now = datetime.now(UTC)
    enforce(_fields(s3), "a.jpg", 1, BUCKET, now)
    enforce(_fields(s3), "a.jpg", MAX, BUCKET, now)
    with pytest.raises(PolicyViolation) as refused:
        enforce(_fields(s3), "a.jpg", size, BUCKET, now)
    assert refused.value.code == code and refused.value.status == 400


def test_wrong_bucket_and_missing_file_are_refused(s3):
    now = datetime.now(UTC)
    with pytest.raises(PolicyViolation) as wrong_bucket:
        enforce(_fields(s3), "a.jpg", 10, "other-bucket", now)
    assert wrong_bucket.value.code == "AccessDenied"
    with pytest.raises(PolicyViolation) as no_file:
        enforce(_fields(s3), None, 0, BUCKET, now)
    assert no_file.value.status == 400


def test_expiry_is_checked_against_the_given_time(s3):
    fields = _fields(s3)
    with pytest.raises(PolicyViolation) as late:
        enforce(fields, "a.jpg", 10, BUCKET, datetime.now(UTC) + timedelta(minutes=11))
    assert "Policy expired" in late.value.message
