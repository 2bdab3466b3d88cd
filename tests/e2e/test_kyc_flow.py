"""KYC over HTTP against the whole local stack: real multipart uploads to presigned POSTs.

The embedded AWS enforces the presigned POST's policy like S3 (infra/local/s3_post_policy.py).
"""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import boto3
import pytest

PASSWORD = "motdepasse1"
ADMIN = {"login": "admin@khadamat.local", "password": "Admin-Local-2026"}
DOCS = ("CIN_FRONT", "CIN_BACK", "SELFIE")


def signed_in_pro(stack, http) -> tuple[str, dict]:
    tag = random.randrange(10**8)
    body = {"phone": f"066{tag % 10**7:07d}", "email": f"pro{tag}@example.ma", "password": PASSWORD,
            "firstName": "Hamza", "lastName": "Tazi", "role": "PRO", "cityId": "marrakech"}
    from tests.e2e.flows import register

    return register(stack, http, body)


@pytest.fixture(scope="module")
def admin_headers(stack, http):
    token = http.post(f"{stack}/auth/login", json=ADMIN, timeout=10).json()["accessToken"]
    return {"Authorization": f"Bearer {token}"}


def upload_url(stack, http, headers, doc, content_type="image/jpeg") -> dict:
    reply = http.post(f"{stack}/pro/kyc/documents", json={"docType": doc, "contentType": content_type},
                      headers=headers, timeout=10)
    assert reply.status_code == 201, reply.text
    return reply.json()


def post_file(http, presigned: dict, data: bytes, **field_changes):
    return http.post(presigned["url"], data={**presigned["fields"], **field_changes},
                     files={"file": ("scan.jpg", data, "image/jpeg")}, timeout=60)


def versions_left(presigned_url: str, pro_id: str) -> int:
    """Ask the embedded AWS itself (the presigned URL names its endpoint and the bucket)."""
    parts = urlsplit(presigned_url)
    s3 = boto3.client("s3", endpoint_url=f"{parts.scheme}://{parts.netloc}", region_name="eu-west-3",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    listing = s3.list_object_versions(Bucket=parts.path.strip("/"), Prefix=f"kyc/{pro_id}/")
    return len(listing.get("Versions", [])) + len(listing.get("DeleteMarkers", []))


def upload_all(stack, http, headers) -> str:
    for doc in DOCS:
        presigned = upload_url(stack, http, headers, doc)
        assert post_file(http, presigned, b"\xff\xd8 scan " + doc.encode()).status_code == 204
    return presigned["url"]


def test_storage_refuses_what_the_policy_does_not_allow(stack, http):
    _, headers = signed_in_pro(stack, http)
    presigned = upload_url(stack, http, headers, "CIN_FRONT")
    assert presigned["url"].startswith("http://127.0.0.1:")  # the embedded AWS, not real S3
    # 11 MB → 400 EntityTooLarge
    too_big = post_file(http, presigned, b"x" * (11 * 1024 * 1024))
    assert too_big.status_code == 400 and "<Code>EntityTooLarge</Code>" in too_big.text
    # a PDF sent against an image/jpeg policy → 403 AccessDenied
    wrong_type = post_file(http, presigned, b"%PDF-1.7", **{"Content-Type": "application/pdf"})
    assert wrong_type.status_code == 403 and "<Code>AccessDenied</Code>" in wrong_type.text
    # nothing got stored
    assert not any(http.get(f"{stack}/pro/kyc", headers=headers, timeout=10).json()["documents"].values())


def test_upload_submit_review_and_reject_deletes_every_version(stack, http, admin_headers):
    # Given a pro uploads the three documents (CIN_FRONT twice: two versions)
    pro_id, headers = signed_in_pro(stack, http)
    url = upload_all(stack, http, headers)
    assert post_file(http, upload_url(stack, http, headers, "CIN_FRONT"), b"again").status_code == 204
    kyc = http.get(f"{stack}/pro/kyc", headers=headers, timeout=10).json()
    assert kyc["documents"] == {doc: True for doc in DOCS} and kyc["status"] == "NOT_SUBMITTED"
    # When they submit, Then the admin sees them PENDING and can read each document shortly
    assert http.post(f"{stack}/pro/kyc/submit", headers=headers, timeout=10).json()["status"] == "PENDING"
    pending = http.get(f"{stack}/admin/kyc?status=PENDING", headers=admin_headers, timeout=10).json()
    assert pro_id in [item["proId"] for item in pending["items"]]
    review = http.get(f"{stack}/admin/kyc/{pro_id}", headers=admin_headers, timeout=10).json()
    selfie = http.get(review["documents"]["SELFIE"]["url"], timeout=10)
    assert selfie.status_code == 200 and selfie.content == b"\xff\xd8 scan SELFIE"
    assert versions_left(url, pro_id) == 4
    # When the admin rejects, Then every version is gone at once
    rejected = http.post(f"{stack}/admin/kyc/{pro_id}/reject", json={"reason": "CIN expirée"},
                         headers=admin_headers, timeout=10)
    assert rejected.status_code == 200 and rejected.json()["status"] == "REJECTED"
    assert versions_left(url, pro_id) == 0
    kyc = http.get(f"{stack}/pro/kyc", headers=headers, timeout=10).json()
    assert kyc["status"] == "REJECTED" and kyc["rejectionReason"] == "CIN expirée"
    assert not any(kyc["documents"].values())


def test_approval_and_another_pro_cannot_upload_under_someone_elses_prefix(stack, http, admin_headers):
    pro_id, headers = signed_in_pro(stack, http)
    other_id, other_headers = signed_in_pro(stack, http)
    upload_all(stack, http, headers)
    selfie_form = upload_url(stack, http, headers, "SELFIE")
    assert post_file(http, selfie_form, b"\xff\xd8 scan SELFIE").status_code == 204
    # another pro's presigned POST, re-aimed at the first pro's key, is refused by the storage
    hijack = post_file(http, upload_url(stack, http, other_headers, "SELFIE"), b"fake",
                       key=f"kyc/{pro_id}/SELFIE")
    assert hijack.status_code == 403 and "<Code>AccessDenied</Code>" in hijack.text
    # and the other pro may not approve
    assert http.post(f"{stack}/admin/kyc/{pro_id}/approve", headers=other_headers,
                     timeout=10).status_code == 403
    assert http.post(f"{stack}/pro/kyc/submit", headers=headers, timeout=10).status_code == 200
    approved = http.post(f"{stack}/admin/kyc/{pro_id}/approve", headers=admin_headers, timeout=10)
    assert approved.status_code == 200 and approved.json()["status"] == "APPROVED"
    review = http.get(f"{stack}/admin/kyc/{pro_id}", headers=admin_headers, timeout=10).json()
    assert http.get(review["documents"]["SELFIE"]["url"], timeout=10).content == b"\xff\xd8 scan SELFIE"
    # the approved selfie's form, used again within its 10 minutes, is accepted by the storage,
    # but the admin still reads the version that was submitted and approved (SPEC §10)
    assert post_file(http, selfie_form, b"\xff\xd8 swapped").status_code == 204
    review = http.get(f"{stack}/admin/kyc/{pro_id}", headers=admin_headers, timeout=10).json()
    assert http.get(review["documents"]["SELFIE"]["url"], timeout=10).content == b"\xff\xd8 scan SELFIE"


def test_deleting_a_pro_account_deletes_its_documents(stack, http):
    pro_id, headers = signed_in_pro(stack, http)
    url = upload_all(stack, http, headers)
    assert versions_left(url, pro_id) == 3
    assert http.delete(f"{stack}/me", headers=headers, timeout=10).status_code == 204
    assert versions_left(url, pro_id) == 0
    job = http.post(f"{stack}/_dev/jobs/purge-kyc-documents", timeout=10)
    assert job.status_code == 200 and job.json()["summary"]["failed"] == 0
