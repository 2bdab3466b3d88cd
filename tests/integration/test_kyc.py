"""Pro KYC (SPEC §10) through the real handlers, in-process under moto.

Uploads are simulated with PutObject here (moto in-process has no HTTP endpoint);
tests/e2e/test_kyc_flow.py posts real multipart uploads to the presigned URLs.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from khadamat.adapters import storage
from khadamat.dal import kyc as kyc_dal
from khadamat.domain.kyc import DOCUMENT_TYPES
from tests.integration.s3_fixtures import fresh_s3_client, s3  # noqa: F401  (fixtures)
from tests.conftest import name_of

PASSWORD = "motdepasse1"
BUCKET = "kycbucket-local"
T0 = "2026-12-01T10:00:00+00:00"
SOON = "2026-12-01T10:05:00+00:00"  # upload forms issued at T0 still valid
LATER = "2026-12-01T10:12:00+00:00"  # every form issued at T0 expired (10 min + margin)


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


def upload_form(api, token: str, doc: str) -> str:
    """The key of a new upload form (POST /pro/kyc/documents)."""
    reply = api.post("/pro/kyc/documents", {"docType": doc, "contentType": "image/jpeg"}, token=token)
    assert reply.status == 201, reply.body
    return reply.body["fields"]["key"]


def upload_with(s3, key: str, body: bytes = b"scan") -> None:
    """What S3 stores when the pro posts a file with that form (in-process: a PutObject)."""
    s3.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType="image/jpeg")


def upload_all(api, s3, token: str, docs=DOCUMENT_TYPES) -> dict[str, str]:
    keys = {doc: upload_form(api, token, doc) for doc in docs}
    for key in keys.values():
        upload_with(s3, key)
    return keys


def read_as_admin(s3, url: str) -> bytes:
    """What the admin's presigned GET returns (the exact key and version it names)."""
    parsed = urlparse(url)
    key = parsed.path.split(f"/{BUCKET}/", 1)[-1] if f"/{BUCKET}/" in parsed.path else parsed.path.lstrip("/")
    version = parse_qs(parsed.query).get("versionId")
    extra = {"VersionId": version[0]} if version else {}
    return s3.get_object(Bucket=BUCKET, Key=key, **extra)["Body"].read()


def clock(api, now: str) -> None:
    assert api.post("/_dev/clock", {"now": now}).status == 200


def versions_left(s3, pro_id: str) -> int:
    listing = s3.list_object_versions(Bucket=BUCKET, Prefix=f"kyc/{pro_id}/")
    return len(listing.get("Versions", [])) + len(listing.get("DeleteMarkers", []))


def submitted_pro(api, s3, n=1) -> tuple[str, str]:
    pro_id, token = account(api, n)
    upload_all(api, s3, token)
    assert api.post("/pro/kyc/submit", token=token).status == 200
    return pro_id, token


def test_upload_url_is_for_the_callers_own_key(api):
    pro_id, token = account(api, 1)
    reply = api.post("/pro/kyc/documents", {"docType": "CIN_FRONT", "contentType": "image/png"},
                     token=token)
    assert reply.status == 201, reply.body
    assert reply.body["fields"]["key"].startswith(f"kyc/{pro_id}/")
    assert "/CIN_FRONT/" in reply.body["fields"]["key"]
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
    upload_all(api, s3, token, ["CIN_FRONT", "SELFIE"])
    kyc = api.get("/pro/kyc", token=token).body
    assert kyc == {"status": "NOT_SUBMITTED", "rejectionReason": None,
                   "documents": {"CIN_FRONT": True, "CIN_BACK": False, "SELFIE": True}}
    # When submitting, Then 409 KYC_DOCUMENTS_MISSING
    reply = api.post("/pro/kyc/submit", token=token)
    assert reply.status == 409 and reply.body["error"]["code"] == "KYC_DOCUMENTS_MISSING"
    # Given the third, When submitting, Then PENDING; a second submit is 409
    upload_all(api, s3, token, ["CIN_BACK"])
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
        assert f"kyc/{pro_id}/" in review["documents"][doc]["url"] and doc in review["documents"][doc]["url"]
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
    pro_id, token = account(api, 1)
    keys = upload_all(api, s3, token)
    upload_with(s3, keys["CIN_FRONT"], b"again")  # the same form used twice: two versions
    assert api.post("/pro/kyc/submit", token=token).status == 200
    s3.put_object(Bucket=BUCKET, Key=f"kyc/{pro_id}/old", Body=b"x")
    s3.delete_object(Bucket=BUCKET, Key=f"kyc/{pro_id}/old")
    assert versions_left(s3, pro_id) == 6
    # When an admin rejects
    reply = api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "CIN illisible"}, token=admin(api))
    # Then REJECTED, and nothing is left of any version, nor a purge marker
    assert reply.status == 200 and reply.body["status"] == "REJECTED"
    assert reply.body["documentsDeleted"] is True
    assert versions_left(s3, pro_id) == 0
    assert api.get("/pro/kyc", token=token).body == {
        "status": "REJECTED", "rejectionReason": "CIN illisible",
        "documents": {doc: False for doc in DOCUMENT_TYPES}}
    # And the pro may upload again and resubmit
    upload_all(api, s3, token)
    resubmitted = api.post("/pro/kyc/submit", token=token).body
    assert resubmitted["status"] == "PENDING" and resubmitted["rejectionReason"] is None


def test_reject_needs_a_reason(api, s3):
    pro_id, _ = submitted_pro(api, s3)
    reply = api.post(f"/admin/kyc/{pro_id}/reject", {"reason": ""}, token=admin(api))
    assert reply.status == 422


def test_failed_deletion_is_kept_and_the_daily_job_finishes_it(api, s3, monkeypatch):
    # Given S3 deletion fails once
    clock(api, T0)
    pro_id, _ = submitted_pro(api, s3)
    real_delete = storage.delete_all_versions
    calls = []

    def fails_once(prefix, keep=None):
        calls.append(prefix)
        if len(calls) == 1:
            raise storage.StorageError("injected: S3 unavailable")
        return real_delete(prefix, keep)

    monkeypatch.setattr(storage, "delete_all_versions", fails_once)
    # When an admin rejects: REJECTED anyway, the documents still there, a purge marked
    reply = api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "selfie flou"}, token=admin(api))
    assert reply.status == 200 and reply.body["documentsDeleted"] is False
    assert versions_left(s3, pro_id) == 3 and kyc_dal.get_purge(pro_id) is not None
    # When the daily job runs, Then it deletes them and clears the marker
    summary = api.post("/_dev/jobs/purge-kyc-documents").body["summary"]
    assert summary == {"pros": 1, "versionsDeleted": 3, "failed": 0}
    assert versions_left(s3, pro_id) == 0
    # And once the round's upload forms have expired, a run clears the marker; then idempotent
    clock(api, LATER)
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"] == {
        "pros": 1, "versionsDeleted": 0, "failed": 0}
    assert kyc_dal.get_purge(pro_id) is None
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"]["pros"] == 0


def test_failing_job_keeps_the_marker_for_the_next_run(api, s3, monkeypatch):
    pro_id, _ = submitted_pro(api, s3)

    def always_fails(prefix, keep=None):
        raise storage.StorageError("injected")

    monkeypatch.setattr(storage, "delete_all_versions", always_fails)
    api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "x"}, token=admin(api))
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"]["failed"] == 1
    assert kyc_dal.get_purge(pro_id) is not None and versions_left(s3, pro_id) == 3


def test_deleted_pro_documents_are_deleted_or_left_to_the_job(api, s3, monkeypatch):
    # Given two pros with documents; S3 fails for the second one's deletion
    clock(api, T0)
    first_id, first_token = account(api, 1)
    second_id, second_token = account(api, 2)
    upload_all(api, s3, first_token)
    upload_all(api, s3, second_token)
    assert api.delete("/me", token=first_token).status == 204
    assert versions_left(s3, first_id) == 0

    def fails(prefix, keep=None):
        raise storage.StorageError("injected")

    monkeypatch.setattr(storage, "delete_all_versions", fails)
    assert api.delete("/me", token=second_token).status == 204
    assert versions_left(s3, second_id) == 3
    assert kyc_dal.get_purge(second_id).reason == "ACCOUNT_DELETED"
    # When the job runs with S3 back, Then nothing is left behind
    monkeypatch.undo()
    clock(api, LATER)
    # (both markers: the first pro's waited for its upload forms to expire)
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"] == {
        "pros": 2, "versionsDeleted": 3, "failed": 0}
    assert versions_left(s3, second_id) == 0
    assert kyc_dal.get_purge(first_id) is None and kyc_dal.get_purge(second_id) is None


def test_a_failed_rejection_purge_never_deletes_the_next_rounds_uploads(api, s3, monkeypatch):
    # Given a rejected pro whose purge failed, who uploads the next round's documents
    clock(api, T0)
    pro_id, token = submitted_pro(api, s3)
    real_delete = storage.delete_all_versions
    monkeypatch.setattr(storage, "delete_all_versions",
                        lambda prefix, keep=None: (_ for _ in ()).throw(storage.StorageError("injected")))
    api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "x"}, token=admin(api))
    monkeypatch.setattr(storage, "delete_all_versions", real_delete)
    new_keys = upload_all(api, s3, token)
    assert versions_left(s3, pro_id) == 6
    # When the daily job retries the rejection's purge
    clock(api, LATER)
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"]["versionsDeleted"] == 3
    # Then only the rejected round is gone, and the new documents can be submitted
    assert sorted(obj["Key"] for obj in s3.list_object_versions(
        Bucket=BUCKET, Prefix=f"kyc/{pro_id}/")["Versions"]) == sorted(new_keys.values())
    assert api.post("/pro/kyc/submit", token=token).body["status"] == "PENDING"


def test_each_form_has_a_key_of_its_own_and_submit_pins_the_newest_upload(api, s3):
    # Given two forms for the selfie, both used (the second one last)
    clock(api, T0)
    pro_id, token = account(api, 1)
    upload_all(api, s3, token, ["CIN_FRONT", "CIN_BACK"])
    first, second = upload_form(api, token, "SELFIE"), upload_form(api, token, "SELFIE")
    assert first != second
    upload_with(s3, first, b"first selfie")
    upload_with(s3, second, b"second selfie")
    # When the pro submits, Then the admin reads the newest one
    assert api.post("/pro/kyc/submit", token=token).status == 200
    review = api.get(f"/admin/kyc/{pro_id}", token=admin(api)).body
    assert read_as_admin(s3, review["documents"]["SELFIE"]["url"]) == b"second selfie"
    # And once the forms have expired, the daily job sweeps what was not pinned
    clock(api, LATER)
    api.post("/_dev/jobs/purge-kyc-documents")
    assert versions_left(s3, pro_id) == 3 and kyc_dal.get_purge(pro_id) is None
    review = api.get(f"/admin/kyc/{pro_id}", token=admin(api)).body
    assert read_as_admin(s3, review["documents"]["SELFIE"]["url"]) == b"second selfie"


def test_an_approved_document_cannot_be_swapped_by_using_its_form_again(api, s3):
    # Given a pro whose submitted documents an admin approved
    clock(api, T0)
    pro_id, token = account(api, 1)
    keys = upload_all(api, s3, token)
    assert api.post("/pro/kyc/submit", token=token).status == 200
    admin_token = admin(api)
    assert api.post(f"/admin/kyc/{pro_id}/approve", token=admin_token).status == 200
    # When the pro uses the CIN_FRONT form again (still within its 10 minutes)
    upload_with(s3, keys["CIN_FRONT"], b"someone else's card")
    # Then the admin still reads what was submitted and approved
    review = api.get(f"/admin/kyc/{pro_id}", token=admin_token).body
    for doc in DOCUMENT_TYPES:
        assert read_as_admin(s3, review["documents"][doc]["url"]) == b"scan"
    # And no new form is issued once approved
    refused = api.post("/pro/kyc/documents", {"docType": "CIN_FRONT", "contentType": "image/jpeg"},
                       token=token)
    assert refused.status == 409 and refused.body["error"]["code"] == "INVALID_TRANSITION"
    # And the swapped object goes with the daily sweep, the approved version stays
    clock(api, LATER)
    api.post("/_dev/jobs/purge-kyc-documents")
    assert versions_left(s3, pro_id) == 3
    review = api.get(f"/admin/kyc/{pro_id}", token=admin_token).body
    assert read_as_admin(s3, review["documents"]["CIN_FRONT"]["url"]) == b"scan"


def test_a_form_issued_before_delete_me_cannot_leave_a_file_under_the_purged_prefix(api, s3):
    # Given a pro holding an upload form, who deletes the account (everything purged)
    clock(api, T0)
    pro_id, token = account(api, 1)
    old_form = upload_form(api, token, "SELFIE")
    assert api.delete("/me", token=token).status == 204
    assert versions_left(s3, pro_id) == 0
    # When the old form is used after the purge
    clock(api, SOON)
    upload_with(s3, old_form, b"late")
    assert versions_left(s3, pro_id) == 1
    # Then the daily job purges it once the form has expired, and only then forgets the purge
    clock(api, LATER)
    assert api.post("/_dev/jobs/purge-kyc-documents").body["summary"]["versionsDeleted"] == 1
    assert versions_left(s3, pro_id) == 0 and kyc_dal.get_purge(pro_id) is None


def test_an_approved_pro_deleting_the_account_leaves_no_document_nor_pin(api, s3):
    clock(api, T0)
    pro_id, token = submitted_pro(api, s3)
    assert api.post(f"/admin/kyc/{pro_id}/approve", token=admin(api)).status == 200
    assert kyc_dal.get_documents(pro_id) is not None
    assert api.delete("/me", token=token).status == 204
    assert versions_left(s3, pro_id) == 0
    clock(api, LATER)
    api.post("/_dev/jobs/purge-kyc-documents")
    assert kyc_dal.get_purge(pro_id) is None and kyc_dal.get_documents(pro_id) is None


def test_a_late_upload_after_a_rejection_is_purged_too(api, s3):
    # Given a form issued before the submission, and a rejection that purged everything
    clock(api, T0)
    pro_id, token = account(api, 1)
    upload_all(api, s3, token)
    old_form = upload_form(api, token, "SELFIE")
    assert api.post("/pro/kyc/submit", token=token).status == 200
    clock(api, SOON)
    assert api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "flou"},
                    token=admin(api)).body["documentsDeleted"] is True
    # When the old form writes after the purge
    upload_with(s3, old_form, b"late")
    # Then it is not the pro's document, and the job deletes it once the forms expired
    assert api.get("/pro/kyc", token=token).body["documents"]["SELFIE"] is False
    clock(api, LATER)
    api.post("/_dev/jobs/purge-kyc-documents")
    assert versions_left(s3, pro_id) == 0 and kyc_dal.get_purge(pro_id) is None


def test_nobody_else_reaches_a_pros_kyc(api, s3):
    # Given pro A submitted; pro B and a client are signed in
    pro_a, _ = submitted_pro(api, s3, 1)
    pro_b, token_b = account(api, 2)
    _, client_token = account(api, 3, role="CLIENT")
    # Then B's upload URL is for B's own prefix only
    fields = api.post("/pro/kyc/documents", {"docType": "SELFIE", "contentType": "image/jpeg"},
                      token=token_b).body["fields"]
    assert fields["key"].startswith(f"kyc/{pro_b}/")
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
    assert api.get("/admin/kyc?nextToken=garbage", token=token).status == 400
    assert api.get("/admin/kyc?limit=0", token=token).status == 422


def test_the_daily_schedule_runs_the_purge_job(api, s3, monkeypatch):
    # Given a purge left to the job
    from infra.local.lambda_runtime import invoke_job
    from tests.conftest import TEMPLATE

    pro_id, _ = submitted_pro(api, s3)
    monkeypatch.setattr(storage, "delete_all_versions",
                        lambda prefix, keep=None: (_ for _ in ()).throw(storage.StorageError("injected")))
    api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "x"}, token=admin(api))
    monkeypatch.undo()
    # When EventBridge's daily schedule invokes the job function
    schedule = next(s for s in TEMPLATE.schedules if s.function_id == "PurgeKycDocumentsJobFunction")
    assert schedule.expression == "rate(1 day)"
    summary = invoke_job(TEMPLATE, "PurgeKycDocumentsJobFunction")
    # Then it purged and says so
    assert summary == {"pros": 1, "versionsDeleted": 3, "failed": 0}
    assert versions_left(s3, pro_id) == 0
