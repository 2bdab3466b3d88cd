"""Pure KYC rules (SPEC §10) and the presigned POST the storage adapter signs."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from khadamat.adapters import storage
from khadamat.domain import kyc
from khadamat.domain.errors import Conflict, Unprocessable
from khadamat.domain.kyc import KycStatus

ALL_PRESENT = {doc: True for doc in kyc.DOCUMENT_TYPES}


def test_documents_live_under_the_pros_own_prefix_one_key_per_upload():
    assert kyc.document_key("p1", "r0", "SELFIE", "u1") == "kyc/p1/r0/SELFIE/u1"
    assert kyc.document_key("p1", "r0", "SELFIE", "u1").startswith(kyc.round_prefix("p1", "r0"))
    assert kyc.round_prefix("p1", "r0").startswith(kyc.pro_prefix("p1"))
    assert not kyc.pro_prefix("p1").startswith(kyc.pro_prefix("p"))  # "p/" is not a prefix of "p1/"


def test_each_rejected_submission_opens_a_round_of_its_own():
    assert kyc.upload_round(None) == "r0"
    first, second = "2026-12-01T10:00:00.000000Z", "2026-12-02T10:00:00.000000Z"
    assert kyc.upload_round(first) == "r20261201100000000000"
    assert len({kyc.upload_round(None), kyc.upload_round(first), kyc.upload_round(second)}) == 3


def test_submit_pins_the_newest_upload_of_each_document_of_the_round():
    prefix = kyc.round_prefix("p1", "r0")
    t1, t2 = datetime(2026, 12, 1, 10, tzinfo=UTC), datetime(2026, 12, 1, 11, tzinfo=UTC)
    objects = [{"key": f"{prefix}SELFIE/a", "versionId": "v1", "lastModified": t2},
               {"key": f"{prefix}SELFIE/b", "versionId": "v2", "lastModified": t1},
               {"key": f"{prefix}CIN_BACK/c", "versionId": "v3", "lastModified": t1},
               {"key": f"{prefix}PASSPORT/d", "versionId": "v4", "lastModified": t2},
               {"key": "kyc/p1/r9/CIN_FRONT/e", "versionId": "v5", "lastModified": t2}]
    assert kyc.newest_uploads(objects, prefix) == {
        "SELFIE": {"key": f"{prefix}SELFIE/a", "versionId": "v1"},
        "CIN_BACK": {"key": f"{prefix}CIN_BACK/c", "versionId": "v3"}}


@pytest.mark.parametrize("doc,ctype", [("PASSPORT", "image/jpeg"), ("SELFIE", "image/gif"),
                                       ("selfie", "image/png"), ("CIN_BACK", "text/html")])
def test_unknown_document_or_content_type_is_422(doc, ctype):
    with pytest.raises(Unprocessable):
        kyc.check_upload_request(doc, ctype)


@pytest.mark.parametrize("status", [KycStatus.NOT_SUBMITTED, KycStatus.REJECTED])
def test_submit_from_not_submitted_or_rejected_needs_all_three(status):
    kyc.check_can_submit(status, ALL_PRESENT)
    with pytest.raises(Conflict) as missing:
        kyc.check_can_submit(status, {**ALL_PRESENT, "CIN_BACK": False})
    assert missing.value.code == "KYC_DOCUMENTS_MISSING" and "CIN_BACK" in missing.value.message


@pytest.mark.parametrize("status", [KycStatus.PENDING, KycStatus.APPROVED])
def test_submit_while_pending_or_approved_is_invalid_transition(status):
    with pytest.raises(Conflict) as refused:
        kyc.check_can_submit(status, ALL_PRESENT)
    assert refused.value.code == "INVALID_TRANSITION"


def test_documents_change_only_before_a_submission():
    kyc.check_can_upload(KycStatus.NOT_SUBMITTED)
    kyc.check_can_upload(KycStatus.REJECTED)
    for status in (KycStatus.PENDING, KycStatus.APPROVED):
        with pytest.raises(Conflict):
            kyc.check_can_upload(status)


def test_only_pending_is_reviewable_and_only_approved_is_verified():
    kyc.check_can_review(KycStatus.PENDING)
    for status in (KycStatus.NOT_SUBMITTED, KycStatus.APPROVED, KycStatus.REJECTED):
        with pytest.raises(Conflict):
            kyc.check_can_review(status)
    assert kyc.is_verified("APPROVED") and not kyc.is_verified("PENDING")
    assert not kyc.is_verified(None)


def test_review_index_keys_sort_by_submission():
    assert kyc.review_index_keys(KycStatus.PENDING, "2026-12-01T10:00:00.000000Z", "p1") == (
        "KYC#PENDING", "2026-12-01T10:00:00.000000Z#p1")


def test_presigned_post_policy_holds_every_condition(monkeypatch):
    # Given the adapter signs an upload of a PNG CIN_FRONT for pro p1
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    storage.reset_client()
    before = datetime.now(UTC)
    post = storage.presigned_upload("kyc/p1/CIN_FRONT", "image/png", kyc.MIN_DOCUMENT_BYTES,
                                    kyc.MAX_DOCUMENT_BYTES, kyc.UPLOAD_URL_TTL_S)
    storage.reset_client()
    fields = post["fields"]
    # When the policy is decoded
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    # Then it binds the bucket, the exact key, the type and the size range
    assert {"bucket": "kycbucket-local"} in conditions
    assert {"key": "kyc/p1/CIN_FRONT"} in conditions
    assert ["eq", "$Content-Type", "image/png"] in conditions
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    # and the SigV4 fields, each also signed into the policy
    for name in ("x-amz-algorithm", "x-amz-credential", "x-amz-date"):
        assert {name: fields[name]} in conditions
    assert fields["key"] == "kyc/p1/CIN_FRONT" and fields["Content-Type"] == "image/png"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and fields["x-amz-signature"]
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions)
    # and it expires ten minutes from now
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert before + timedelta(minutes=9) < expires <= datetime.now(UTC) + timedelta(minutes=10, seconds=1)
    # and nothing else (the session token's field is signed in when credentials carry one)
    names = {c[1] if isinstance(c, list) and c[0] == "eq" else c[0] if isinstance(c, list)
             else next(iter(c)) for c in conditions}
    assert names - {"x-amz-security-token"} == {
        "$Content-Type", "content-length-range", "bucket", "key", "x-amz-algorithm",
        "x-amz-credential", "x-amz-date"}
