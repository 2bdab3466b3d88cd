"""Admin reviews and account writes answer from what they wrote, in as few round trips as
their guards allow (issue 9): the answer shows the new state, a refusal still says why, and
every guard is still a condition of the write (a deleted account is never revived).

Accounts are written directly (no Argon2 signup) and signed in with issued access tokens.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from khadamat import security
from khadamat.adapters import storage
from khadamat.dal import kyc as kyc_dal
from khadamat.dal import notifications as devices
from khadamat.dal import reports as reports_dal
from khadamat.dal import users
from khadamat.domain.kyc import DOCUMENT_TYPES, SUBMITTABLE_FROM
from khadamat.domain.timeutil import from_storage, to_local_iso
from khadamat.usecases.reports import view as report_view
from tests.integration.s3_fixtures import fresh_s3_client, s3  # noqa: F401  (fixtures)

BUCKET = "kycbucket-local"
SUBMITTED_AT = "2026-11-20T09:00:00.000000Z"
LATER = "2026-11-21T10:00:00+00:00"


def make_user(role: str, status: str = "ACTIVE", **extra) -> users.UserItem:
    user_id = str(uuid.uuid4())
    user = users.UserItem(*users.user_key(user_id), user_id=user_id, role=role, status=status,
                          phone=f"+2126{uuid.uuid4().int % 10**8:08d}", email=f"{user_id}@example.ma",
                          first_name="Nadia", last_name="Tazi", created_at=SUBMITTED_AT,
                          city_id="marrakech" if role == "PRO" else None, **extra)
    user.save()
    return user


def token_for(user: users.UserItem) -> str:
    return security.issue_access_token(user.user_id, user.role, datetime.now(UTC))


@pytest.fixture
def admin(api) -> str:
    return token_for(make_user("ADMIN"))


def pending_pro() -> users.UserItem:
    pro = make_user("PRO", kyc_status="NOT_SUBMITTED")
    kyc_dal.submit(pro, SUBMITTABLE_FROM, SUBMITTED_AT, documents={}, forms_expire_at=SUBMITTED_AT)
    return pro


def listed(api, token: str, status: str) -> list[str]:
    return [item["proId"] for item in api.get(f"/admin/kyc?status={status}", token=token).body["items"]]


# ---------------------------------------------------------------- KYC review
def test_approve_answers_the_approved_pro_from_its_one_write(api, admin):
    # Given a pro whose KYC is PENDING
    pro = pending_pro()
    # When an admin approves
    reply = api.post(f"/admin/kyc/{pro.user_id}/approve", token=admin)
    # Then the answer is the approved pro, as stored
    assert reply.status == 200, reply.body
    assert reply.body == {"proId": pro.user_id, "firstName": "Nadia", "lastName": "Tazi",
                          "cityId": "marrakech", "status": "APPROVED",
                          "submittedAt": to_local_iso(from_storage(SUBMITTED_AT)),
                          "rejectionReason": None}
    assert users.get_user(pro.user_id).kyc_status == "APPROVED"
    # and the review index moved with it, keeping the submission order
    assert listed(api, admin, "PENDING") == [] and listed(api, admin, "APPROVED") == [pro.user_id]
    assert api.get(f"/admin/kyc/{pro.user_id}", token=admin).body["status"] == "APPROVED"


def test_refused_reviews_still_say_why_and_change_nothing(api, admin):
    # Given a client, a pro who never submitted, and a deleted pro whose KYC was PENDING
    client = make_user("CLIENT")
    fresh = make_user("PRO", kyc_status="NOT_SUBMITTED")
    deleted = pending_pro()
    users.erase_user(deleted, datetime.now(UTC))
    for pro_id, status, code in (("nobody", 404, "NOT_FOUND"), (client.user_id, 404, "NOT_FOUND"),
                                 (fresh.user_id, 409, "INVALID_TRANSITION"),
                                 (deleted.user_id, 404, "NOT_FOUND")):
        # When an admin approves or rejects, Then 404 / 409 as before
        for reply in (api.post(f"/admin/kyc/{pro_id}/approve", token=admin),
                      api.post(f"/admin/kyc/{pro_id}/reject", {"reason": "x"}, token=admin)):
            assert (reply.status, reply.body["error"]["code"]) == (status, code), pro_id
    # And the deleted pro was not approved behind the 404, nor put back in an index
    stored = users.get_user(deleted.user_id)
    assert stored.status == "DELETED" and stored.kyc_status == "PENDING"
    assert stored.GSI3PK is None and listed(api, admin, "APPROVED") == []
    assert users.get_user("nobody") is None  # the conditional write created nothing


def test_reject_answers_the_rejected_pro_and_purges_the_marker_it_wrote(api, admin, s3):
    # Given a PENDING pro with its three documents
    pro = pending_pro()
    for doc in DOCUMENT_TYPES:
        s3.put_object(Bucket=BUCKET, Key=f"kyc/{pro.user_id}/{doc}", Body=b"scan")
    # When an admin rejects
    reply = api.post(f"/admin/kyc/{pro.user_id}/reject", {"reason": "Selfie flou"}, token=admin)
    # Then the answer shows the rejection, and the documents and the marker are gone
    assert reply.status == 200, reply.body
    assert reply.body == {"proId": pro.user_id, "firstName": "Nadia", "lastName": "Tazi",
                          "cityId": "marrakech", "status": "REJECTED",
                          "submittedAt": to_local_iso(from_storage(SUBMITTED_AT)),
                          "rejectionReason": "Selfie flou", "documentsDeleted": True}
    assert s3.list_object_versions(Bucket=BUCKET, Prefix=f"kyc/{pro.user_id}/").get("Versions") is None
    assert kyc_dal.get_purge(pro.user_id) is None
    assert listed(api, admin, "REJECTED") == [pro.user_id]


def test_a_deleted_pro_leaves_the_review_list_with_its_marker_written_in_the_erasure(api, admin,
                                                                                      monkeypatch):
    # Given a PENDING pro, and S3 failing
    pro = pending_pro()
    monkeypatch.setattr(storage, "delete_all_versions",
                        lambda prefix, keep=None: (_ for _ in ()).throw(storage.StorageError("injected")))
    # When the pro deletes the account
    assert api.delete("/me", token=token_for(pro)).status == 204
    # Then the marker stays for the daily job, and no admin list shows the pro any more
    assert kyc_dal.get_purge(pro.user_id).reason == "ACCOUNT_DELETED"
    assert listed(api, admin, "PENDING") == []


# ---------------------------------------------------------------- reports
def report_in(status: str) -> reports_dal.ReportItem:
    report_id = str(uuid.uuid4())
    report = reports_dal.ReportItem(
        *reports_dal.report_key(report_id), report_id=report_id, booking_id="b-1",
        reporter_id="c-1", reporter_role="CLIENT", title="Retard", details="Deux heures",
        status=status, priority="HIGH", is_within_dispute_window=True, created_at=SUBMITTED_AT,
        updated_at=SUBMITTED_AT, **reports_dal.index_keys(status, f"0#{SUBMITTED_AT}#{report_id}"))
    reports_dal.create(report)
    return report


def test_patch_answers_the_report_as_written(api, admin):
    # Given an OPEN report, later
    report = report_in("OPEN")
    assert api.post("/_dev/clock", {"now": LATER}).status == 200
    # When an admin resolves it with a note
    reply = api.patch(f"/admin/reports/{report.report_id}",
                      {"status": "RESOLVED", "resolutionNote": "Remboursé"}, token=admin)
    # Then the answer is the stored report: new status, note and time, the rest unchanged
    assert reply.status == 200, reply.body
    assert reply.body == report_view(reports_dal.get(report.report_id))
    assert (reply.body["status"], reply.body["resolutionNote"]) == ("RESOLVED", "Remboursé")
    assert reply.body["updatedAt"] == "2026-11-21T10:00:00+00:00"
    assert reply.body["title"] == "Retard" and reply.body["priority"] == "HIGH"
    resolved = api.get("/admin/reports?status=RESOLVED", token=admin).body["items"]
    assert [item["id"] for item in resolved] == [report.report_id]


@pytest.mark.parametrize("current,target,status", [
    (None, "IN_REVIEW", 404), (None, "OPEN", 404), ("IN_REVIEW", "OPEN", 409),
    ("IN_REVIEW", "IN_REVIEW", 409), ("RESOLVED", "REJECTED", 409), ("REJECTED", "RESOLVED", 409)])
def test_a_refused_patch_says_why_and_changes_nothing(api, admin, current, target, status):
    report_id = report_in(current).report_id if current else "nobody"
    reply = api.patch(f"/admin/reports/{report_id}", {"status": target}, token=admin)
    assert reply.status == status
    if current:
        assert reply.body["error"]["code"] == "INVALID_TRANSITION"
        assert reports_dal.get(report_id).status == current
    else:
        assert reports_dal.get(report_id) is None


def test_the_report_write_is_conditional_on_an_allowed_source_status(aws):
    # Given a report another admin moved to IN_REVIEW after this one read it as OPEN
    report = report_in("IN_REVIEW")
    # When the write expects OPEN, Then it is refused and nothing changes
    assert reports_dal.change_status(report.report_id, "IN_REVIEW", ("OPEN",), None,
                                     SUBMITTED_AT) is None
    assert reports_dal.get(report.report_id).status == "IN_REVIEW"


# ---------------------------------------------------------------- ban / unban
def test_ban_and_unban_by_id_refuse_admins_and_dead_accounts(api, admin):
    other_admin, dead = make_user("ADMIN"), make_user("CLIENT")
    users.erase_user(dead, datetime.now(UTC))
    banned = api.post(f"/admin/users/{other_admin.user_id}/ban", {"reason": "x"}, token=admin)
    assert banned.status == 403 and users.get_user(other_admin.user_id).status == "ACTIVE"
    for user_id in (dead.user_id, "nobody"):
        for reply in (api.post(f"/admin/users/{user_id}/ban", {"reason": "x"}, token=admin),
                      api.post(f"/admin/users/{user_id}/unban", token=admin)):
            assert (reply.status, reply.body["error"]["code"]) == (404, "NOT_FOUND")
    # a deleted account is not revived, an unknown id not created
    assert users.get_user(dead.user_id).status == "DELETED" and users.get_user("nobody") is None


def test_ban_revokes_the_refresh_tokens_and_unban_lifts_a_suspension(api, admin):
    pro = make_user("PRO", status="SUSPENDED", pro_consecutive_cancel_count=3)
    users.save_refresh_token(pro.user_id, "hash-1", datetime(2027, 1, 1, tzinfo=UTC))
    reply = api.post(f"/admin/users/{pro.user_id}/ban", {"reason": "fraude"}, token=admin)
    assert reply.body == {"id": pro.user_id, "status": "BANNED"}
    stored = users.get_user(pro.user_id)
    assert (stored.status, stored.ban_reason) == ("BANNED", "fraude")
    # signed out by the account's session epoch (the item stays until its ttl)
    assert not users.refresh_token_live(users.get_refresh_token(pro.user_id, "hash-1"), stored)
    assert api.post(f"/admin/users/{pro.user_id}/unban", token=admin).body["status"] == "ACTIVE"
    stored = users.get_user(pro.user_id)
    assert (stored.status, stored.ban_reason, stored.pro_consecutive_cancel_count) == ("ACTIVE", None, 0)


# ---------------------------------------------------------------- login
def test_login_with_a_phone_that_is_no_moroccan_mobile_is_a_counted_failure(api):
    # Given a login that cannot name an account (a landline number)
    for _ in range(5):
        reply = api.post("/auth/login", {"login": "0522123456", "password": "motdepasse1"})
        assert reply.status == 401 and reply.body["error"]["code"] == "INVALID_CREDENTIALS"
    # Then it is throttled like any other login
    assert api.post("/auth/login", {"login": "0522123456", "password": "motdepasse1"}).status == 429


# ---------------------------------------------------------------- devices
def test_a_device_token_is_handed_over_and_back_and_re_registered(api):
    first, second = make_user("CLIENT"), make_user("CLIENT")
    body = {"platform": "ANDROID", "token": "shared-phone-token"}
    for owner in (first, second, first):
        assert api.post("/me/devices", body, token=token_for(owner)).status == 201
    assert [d.token for d in devices.user_devices(first.user_id)] == ["shared-phone-token"]
    assert devices.user_devices(second.user_id) == []
    # re-registering one's own token keeps one device, with the new platform
    again = api.post("/me/devices", {**body, "platform": "IOS"}, token=token_for(first))
    assert again.status == 201
    assert [d.platform for d in devices.user_devices(first.user_id)] == ["IOS"]
    assert api.delete("/me/devices/shared-phone-token", token=token_for(second)).status == 404
    assert api.delete("/me/devices/shared-phone-token", token=token_for(first)).status == 204
