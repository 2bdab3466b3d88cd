"""Pro KYC (SPEC §10) through the real handlers, in-process under moto.

Uploads are simulated with PutObject here (moto in-process has no HTTP endpoint);
tests/e2e/test_kyc_flow.py posts real multipart uploads to the presigned URLs.
"""

from __future__ import annotations

import pytest

from khadamat.adapters import storage
from khadamat.dal import kyc as kyc_dal
from khadamat.domain.kyc import DOCUMENT_TYPES
from tests.integration.s3_fixtures import fresh_s3_client, s3  # noqa: F401  (fixtures)
from tests.conftest import name_of

PASSWORD = "motdepasse1"
BUCKET = "kycbucket-local"


def account(api, n: int, role="PRO") -> tuple[str, str]:
    body = {"phone": f"06123450{n:02d}", "email": f"user{n}@example.ma", "password": PASSWORD,
            "firstName": "Youssef", "lastName": f"Bennani {name_of(n)}", "role": role}
    if role == "PRO":
        body["cityId"] = "casablanca"
    from tests.integration.booking_helpers import sign_up_verified

    return sign_up_verified(api, body)


def admin(api) -> str:
    from infra.local.seed import ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD, seed_admin
    seed_admin()
    return api.post("/auth/login", {"login": ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD}
                    ).body["accessToken"]


def upload_all(s3, pro_id: str, docs=DOCUMENT_TYPES) -> None:
    for doc in docs:
        s3.put_object(Bucket=BUCKET, Key=f"kyc/{pro_id}/{doc}", Body=b"scan", ContentType="image/jpeg")


def versions_left(s3, pro_id: str) -> int:
    listing = s3.list_object_versions(Bucket=BUCKET, Prefix=f"kyc/{pro_id}/")
    return len(listing.get("Versions", [])) + len(listing.get("DeleteMarkers", []))


def submitted_pro(api, s3, n=1) -> tuple[str, str]:
    pro_id, token = account(api, n)
    upload_all(s3, pro_id)
    assert api.post("/pro/kyc/submit", token=token).status == 200
    return pro_id, token


def test_upload_url_is_for_the_callers_own_key(api):
    pro_id, token = account(api, 1)
    reply = api.post("/pro/kyc/documents", {"docType": "CIN_FRONT", "contentType": "image/png"},
                     token=token)
    assert reply.status == 201, reply.body
    assert reply.body["fields"]["key"] == f"kyc/{pro_id}/CIN_FRONT"
    assert reply.body["fields"]["Content-Type"] == "image/png"
    assert reply.body["expiresIn"] == 600 and reply.body["url"].startswith("https://")


@pytest.mark.parametrize("body", [{"docType": "PASSPORT", "contentType": "image/png"},
                                  {"docType": "SELFIE", "contentType": "image/gif"},
                                  {"docType": "SELFIE"}, {"docType": "x" * 100, "contentType": "image/png"}])
def test_bad_upload_request_is_422(api, body):
    _, token = account(api, 1)
    reply = api.post("/pro/kyc/documents", body, token=token)
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"


def test_flags_come_from_storage_and_submit_needs_all_three(api, s3):
    # Given a pro with two of the three documents uploaded
    pro_id, token = account(api, 1)
    upload_all(s3, pro_id, ["CIN_FRONT", "SELFIE"])
    kyc = api.get("/pro/kyc", token=token).body
    assert kyc == {"status": "NOT_SUBMITTED", "rejectionReason": None,
                   "documents": {"CIN_FRONT": True, "CIN_BACK": False, "SELFIE": True}}
    # When submitting, Then 409 KYC_DOCUMENTS_MISSING
    reply = api.post("/pro/kyc/submit", token=token)
    assert reply.status == 409 and reply.body["error"]["code"] == "KYC_DOCUMENTS_MISSING"
    # Given the third, When submitting, Then PENDING; a second submit is 409
    upload_all(s3, pro_id, ["CIN_BACK"])
    assert api.post("/pro/kyc/submit", token=token).body["status"] == "PENDING"
    assert api.get("/pro/kyc", token=token).body["status"] == "PENDING"
    again = api.post("/pro/kyc/submit", token=token)
    assert again.status == 409 and again.body["error"]["code"] == "INVALID_TRANSITION"
    # and under review the documents can no longer be replaced
    swap = api.post("/pro/kyc/documents", {"docType": "SELFIE", "contentType": "image/jpeg"},
                    token=token)
    assert swap.status == 409 and swap.body["error"]["code"] == "INVALID_TRANSITION"


def test_admin_lists_pending_reads_with_short_urls_and_approves(api, s3):
    pro_id, token = submitted_pro(api, s3)
    admin_token = admin(api)
    pending = api.get("/admin/kyc?status=PENDING", token=admin_token).body
    assert [item["proId"] for item in pending["items"]] == [pro_id]
    assert pending["items"][0]["submittedAt"] and pending["nextToken"] is None
    # per-document presigned GET valid at most 5 minutes
    review = api.get(f"/admin/kyc/{pro_id}", token=admin_token).body
    assert review["status"] == "PENDING"
    for doc in DOCUMENT_TYPES:
        assert review["documents"][doc]["expiresIn"] <= 300
        assert "X-Amz-Expires=300" in review["documents"][doc]["url"]
        assert f"kyc/{pro_id}/{doc}" in review["documents"][doc]["url"]
    # approve → APPROVED, out of the PENDING list, in the APPROVED one
    assert api.post(f"/admin/kyc/{pro_id}/approve", token=admin_token).body["status"] == "APPROVED"
    assert api.get("/admin/kyc", token=admin_token).body["items"] == []
    approved = api.get("/admin/kyc?status=APPROVED", token=admin_token).body["items"]
    assert [item["proId"] for item in approved] == [pro_id]
    assert api.get("/pro/kyc", token=token).body["status"] == "APPROVED"
    twice = api.post(f"/admin/kyc/{pro_id}/approve", token=admin_token)
    assert twice.status == 409 and twice.body["error"]["code"] == "INVALID_TRANSITION"


def test_reject_deletes_every_version_and_the_pro_may_resubmit(api, s3):
    # Given a PENDING pro whose CIN_FRONT has two versions and a delete marker exists
    pro_id, token = submitted_pro(api, s3)
    upload_all(s3, pro_id, ["CIN_FRONT"])
    s3.put_object(Bucket=BUCKET, Key=f"kyc/{pro_id}/old", Body=b"x")
    s3.delete_object(Bucket=BUCKET, Key=f"kyc/{pro_id}/old")
    assert versions_left(s3, pro_id) == 6
    # When an admin rejects
    reply = api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "CIN illisible"}, token=admin(api))
    # Then REJECTED, and nothing is left of any version, nor a purge marker
    assert reply.status == 200 and reply.body["status"] == "REJECTED"
    assert reply.body["documentsDeleted"] is True
    assert versions_left(s3, pro_id) == 0 and kyc_dal.get_purge(pro_id) is None
    assert api.get("/pro/kyc", token=token).body == {
        "status": "REJECTED", "rejectionReason": "CIN illisible",
        "documents": {doc: False for doc in DOCUMENT_TYPES}}
    # And the pro may upload again and resubmit
    upload_all(s3, pro_id)
    resubmitted = api.post("/pro/kyc/submit", token=token).body
    assert resubmitted["status"] == "PENDING" and resubmitted["rejectionReason"] is None


def test_reject_needs_a_reason(api, s3):
    pro_id, _ = submitted_pro(api, s3)
    reply = api.post(f"/admin/kyc/{pro_id}/reject", {"reason": ""}, token=admin(api))
    assert reply.status == 422


def test_failed_deletion_is_kept_and_the_daily_job_finishes_it(api, s3, monkeypatch):
    # Given S3 deletion fails once
    pro_id, _ = submitted_pro(api, s3)
    real_delete = storage.delete_all_versions
    calls = []

    def fails_once(prefix):
        calls.append(prefix)
        if len(calls) == 1:
            raise storage.StorageError("injected: S3 unavailable")
        return real_delete(prefix)

    monkeypatch.setattr(storage, "delete_all_versions", fails_once)
    # When an admin rejects: REJECTED anyway, the documents still there, a purge marked
    reply = api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "selfie flou"}, token=admin(api))
    assert reply.status == 200 and reply.body["documentsDeleted"] is False
    assert versions_left(s3, pro_id) == 3 and kyc_dal.get_purge(pro_id) is not None
    # When the daily job runs, Then it deletes them and clears the marker
    summary = api.post("/_dev/jobs/purge-kyc-documents").body["summary"]
    assert summary == {"pros": 1, "versionsDeleted": 3, "failed": 0}
    assert versions_left(s3, pro_id) == 0 and kyc_dal.get_purge(pro_id) is None
    # And a second run has nothing to do (idempotent)
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"]["pros"] == 0


def test_failing_job_keeps_the_marker_for_the_next_run(api, s3, monkeypatch):
    pro_id, _ = submitted_pro(api, s3)

    def always_fails(prefix):
        raise storage.StorageError("injected")

    monkeypatch.setattr(storage, "delete_all_versions", always_fails)
    api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "x"}, token=admin(api))
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"]["failed"] == 1
    assert kyc_dal.get_purge(pro_id) is not None and versions_left(s3, pro_id) == 3


def test_deleted_pro_documents_are_deleted_or_left_to_the_job(api, s3, monkeypatch):
    # Given two pros with documents; S3 fails for the second one's deletion
    first_id, first_token = account(api, 1)
    second_id, second_token = account(api, 2)
    upload_all(s3, first_id)
    upload_all(s3, second_id)
    assert api.delete("/me", token=first_token).status == 204
    assert versions_left(s3, first_id) == 0 and kyc_dal.get_purge(first_id) is None

    def fails(prefix):
        raise storage.StorageError("injected")

    monkeypatch.setattr(storage, "delete_all_versions", fails)
    assert api.delete("/me", token=second_token).status == 204
    assert versions_left(s3, second_id) == 3
    assert kyc_dal.get_purge(second_id).reason == "ACCOUNT_DELETED"
    # When the job runs with S3 back, Then nothing is left behind
    monkeypatch.undo()
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"]["pros"] == 1
    assert versions_left(s3, second_id) == 0


def test_a_pending_purge_is_finished_before_a_new_upload_url(api, s3, monkeypatch):
    # Given a rejected pro whose purge failed
    pro_id, token = submitted_pro(api, s3)
    real_delete = storage.delete_all_versions
    monkeypatch.setattr(storage, "delete_all_versions",
                        lambda prefix: (_ for _ in ()).throw(storage.StorageError("injected")))
    api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "x"}, token=admin(api))
    monkeypatch.setattr(storage, "delete_all_versions", real_delete)
    # When the pro asks for a new upload URL, Then the old documents go first
    assert api.post("/pro/kyc/documents", {"docType": "SELFIE", "contentType": "image/jpeg"},
                    token=token).status == 201
    assert versions_left(s3, pro_id) == 0 and kyc_dal.get_purge(pro_id) is None


def test_nobody_else_reaches_a_pros_kyc(api, s3):
    # Given pro A submitted; pro B and a client are signed in
    pro_a, _ = submitted_pro(api, s3, 1)
    pro_b, token_b = account(api, 2)
    _, client_token = account(api, 3, role="CLIENT")
    # Then B's upload URL is for B's own prefix only
    fields = api.post("/pro/kyc/documents", {"docType": "SELFIE", "contentType": "image/jpeg"},
                      token=token_b).body["fields"]
    assert fields["key"] == f"kyc/{pro_b}/SELFIE"
    # And neither B nor the client may read, approve or reject A's KYC, nor upload as a pro
    for token in (token_b, client_token):
        for reply in (api.get(f"/admin/kyc/{pro_a}", token=token),
                      api.get("/admin/kyc?status=PENDING", token=token),
                      api.post(f"/admin/kyc/{pro_a}/approve", token=token),
                      api.post(f"/admin/kyc/{pro_a}/reject", {"reason": "x"}, token=token)):
            assert reply.status == 403 and reply.body["error"]["code"] == "FORBIDDEN"
    for call in (lambda: api.post("/pro/kyc/documents", {"docType": "SELFIE",
                                                          "contentType": "image/jpeg"}, token=client_token),
                 lambda: api.get("/pro/kyc", token=client_token),
                 lambda: api.post("/pro/kyc/submit", token=client_token)):
        assert call().status == 403
    assert api.get("/pro/kyc").status == 401
    # And B's own view shows B's documents, not A's
    assert not any(api.get("/pro/kyc", token=token_b).body["documents"].values())
    assert api.get("/pro/kyc", token=token_b).body["status"] == "NOT_SUBMITTED"


def test_admin_kyc_unknown_pro_or_bad_query_is_404_or_422(api):
    token = admin(api)
    client_id, _ = account(api, 3, role="CLIENT")
    assert api.get("/admin/kyc/nobody", token=token).status == 404
    assert api.post(f"/admin/kyc/{client_id}/approve", token=token).status == 404
    assert api.get("/admin/kyc?status=NOT_SUBMITTED", token=token).status == 422
    assert api.get("/admin/kyc?nextToken=garbage", token=token).status == 422
    assert api.get("/admin/kyc?limit=0", token=token).status == 422


def test_the_daily_schedule_runs_the_purge_job(api, s3, monkeypatch):
    # Given a purge left to the job
    from infra.local.lambda_runtime import invoke_job
    from tests.conftest import TEMPLATE

    pro_id, _ = submitted_pro(api, s3)
    monkeypatch.setattr(storage, "delete_all_versions",
                        lambda prefix: (_ for _ in ()).throw(storage.StorageError("injected")))
    api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "x"}, token=admin(api))
    monkeypatch.undo()
    # When EventBridge's daily schedule invokes the job function
    schedule = next(s for s in TEMPLATE.schedules if s.function_id == "PurgeKycDocumentsJobFunction")
    assert schedule.expression == "rate(1 day)"
    summary = invoke_job(TEMPLATE, "PurgeKycDocumentsJobFunction")
    # Then it purged and says so
    assert summary == {"pros": 1, "versionsDeleted": 3, "failed": 0}
    assert versions_left(s3, pro_id) == 0
