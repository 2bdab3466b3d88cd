"""Reports (SPEC §8) and the admin triage list, through the real handlers under moto.

Bookings are made directly as items (the bookings endpoints come from another branch).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from khadamat.dal.bookings import new_booking
from khadamat.dal.users import get_user, set_status
from khadamat.domain.timeutil import parse_timestamp, to_storage
from tests.conftest import name_of

PASSWORD = "motdepasse1"
COMPLETED_AT = "2026-12-01T12:00:00+00:00"


def account(api, n: int, role: str) -> tuple[str, str]:
    body = {"phone": f"06123451{n:02d}", "email": f"r{n}@example.ma", "password": PASSWORD,
            "firstName": "Salma", "lastName": f"Idrissi {name_of(n)}", "role": role}
    if role == "PRO":
        body["cityId"] = "rabat-sale"
    from tests.integration.booking_helpers import sign_up_verified

    return sign_up_verified(api, body)


def admin(api) -> str:
    from infra.local.seed import ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD, seed_admin
    seed_admin()
    return api.post("/auth/login", {"login": ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD}
                    ).body["accessToken"]


def booking(client_id: str, pro_id: str, status="COMPLETED", completed_at=COMPLETED_AT) -> str:
    booking_id = str(uuid.uuid4())
    slot = parse_timestamp("2026-12-01T10:00:00+00:00")
    item = new_booking(booking_id=booking_id, client_id=client_id, pro_id=pro_id,
                       city_id="casablanca", category_id="plomberie", time_slot=slot,
                       expires_at=slot - timedelta(hours=12), now=slot - timedelta(days=1))
    item.status = status
    item.completed_at = to_storage(parse_timestamp(completed_at)) if completed_at else None
    item.save()
    return booking_id


def at(api, moment: str) -> None:
    assert api.post("/_dev/clock", {"now": moment}).status == 200


def report(api, booking_id, token, title="Fuite non réparée", **extra):
    return api.post(f"/bookings/{booking_id}/reports",
                    {"title": title, "details": "Le robinet fuit toujours.", **extra}, token=token)


@pytest.fixture
def parties(api):
    at(api, "2026-12-01T13:00:00+00:00")  # tokens live 15 minutes of this clock
    client_id, client_token = account(api, 1, "CLIENT")
    pro_id, pro_token = account(api, 2, "PRO")
    return client_id, client_token, pro_id, pro_token


@pytest.mark.parametrize("now,priority", [("2026-12-01T13:00:00+00:00", "HIGH"),
                                          ("2026-12-03T11:59:00+00:00", "HIGH"),
                                          ("2026-12-03T12:00:01+00:00", "NORMAL")])
def test_completed_booking_report_is_high_inside_the_48h_window(api, now, priority):
    # Given a booking COMPLETED at 12:00 and the clock at `now`
    at(api, now)
    client_id, client_token = account(api, 1, "CLIENT")
    pro_id, _ = account(api, 2, "PRO")
    booking_id = booking(client_id, pro_id)
    reply = report(api, booking_id, client_token, attachments=["https://cdn.example.ma/1.jpg"])
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "OPEN" and reply.body["priority"] == priority
    assert reply.body["isWithinDisputeWindow"] is (priority == "HIGH")
    assert reply.body["bookingId"] == booking_id and reply.body["reporterRole"] == "CLIENT"
    assert reply.body["attachments"] == ["https://cdn.example.ma/1.jpg"]
    assert reply.body["createdAt"].endswith("+00:00")


def test_the_pro_may_report_in_any_status_and_others_get_404(api, parties):
    client_id, client_token, pro_id, pro_token = parties
    booking_id = booking(client_id, pro_id, status="CANCELLED_BY_CLIENT_LATE", completed_at=None)
    reply = report(api, booking_id, pro_token)
    assert reply.status == 201 and reply.body["priority"] == "NORMAL"
    assert reply.body["reporterRole"] == "PRO"
    _, stranger_token = account(api, 3, "CLIENT")
    for booking_ref, token in ((booking_id, stranger_token), ("no-such-booking", client_token)):
        refused = report(api, booking_ref, token)
        assert refused.status == 404 and refused.body["error"]["code"] == "NOT_FOUND"
    assert report(api, booking_id, admin(api)).status == 403


@pytest.mark.parametrize("extra", [{"attachments": ["http://example.ma/a.jpg"]},
                                   {"attachments": ["https://example.ma/a.jpg"] * 6},
                                   {"attachments": ["https://example.ma/" + "a" * 500]},
                                   {"attachments": "https://example.ma/a.jpg"},
                                   {"title": ""}, {"details": "x" * 4001}])
def test_bad_report_bodies_are_422(api, parties, extra):
    client_id, client_token, pro_id, _ = parties
    reply = report(api, booking(client_id, pro_id), client_token, **extra)
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"


def test_admin_list_is_high_first_then_oldest_and_filters(api, parties):
    client_id, client_token, pro_id, pro_token = parties
    old_booking = booking(client_id, pro_id, status="CONFIRMED", completed_at=None)
    done_booking = booking(client_id, pro_id)
    at(api, "2026-12-01T13:01:00+00:00")
    first_normal = report(api, old_booking, client_token).body["id"]
    at(api, "2026-12-01T13:02:00+00:00")
    first_high = report(api, done_booking, client_token).body["id"]
    at(api, "2026-12-01T13:03:00+00:00")
    second_high = report(api, done_booking, pro_token).body["id"]
    at(api, "2026-12-01T13:04:00+00:00")
    second_normal = report(api, old_booking, pro_token).body["id"]
    token = admin(api)
    listed = api.get("/admin/reports?status=OPEN", token=token).body
    assert [r["id"] for r in listed["items"]] == [first_high, second_high, first_normal, second_normal]
    assert [r["id"] for r in api.get("/admin/reports", token=token).body["items"]][:1] == [first_high]
    normal = api.get("/admin/reports?status=OPEN&priority=NORMAL", token=token).body["items"]
    assert [r["id"] for r in normal] == [first_normal, second_normal]
    # paging keeps the order
    page = api.get("/admin/reports?limit=3", token=token).body
    rest = api.get(f"/admin/reports?limit=3&nextToken={page['nextToken']}", token=token).body
    assert [r["id"] for r in page["items"] + rest["items"]] == [first_high, second_high,
                                                                 first_normal, second_normal]
    for bad in ("status=CLOSED", "priority=URGENT", "limit=0"):
        assert api.get(f"/admin/reports?{bad}", token=token).status == 422
    assert api.get("/admin/reports?nextToken=abc", token=token).status == 400  # SPEC §1


def test_patch_follows_the_allowed_transitions(api, parties):
    client_id, client_token, pro_id, _ = parties
    token = admin(api)
    first = report(api, booking(client_id, pro_id), client_token).body["id"]
    second = report(api, booking(client_id, pro_id), client_token).body["id"]
    # OPEN → IN_REVIEW → RESOLVED with a note
    assert api.patch(f"/admin/reports/{first}", {"status": "IN_REVIEW"}, token=token).body["status"] == "IN_REVIEW"
    assert [r["id"] for r in api.get("/admin/reports?status=IN_REVIEW", token=token).body["items"]] == [first]
    done = api.patch(f"/admin/reports/{first}", {"status": "RESOLVED", "resolutionNote": "Remboursé"},
                     token=token).body
    assert done["status"] == "RESOLVED" and done["resolutionNote"] == "Remboursé"
    assert api.get("/admin/reports?status=IN_REVIEW", token=token).body["items"] == []
    # OPEN → REJECTED directly
    assert api.patch(f"/admin/reports/{second}", {"status": "REJECTED"}, token=token).status == 200
    # anything from a final status, or back to OPEN → 409
    for report_id, target in ((first, "IN_REVIEW"), (first, "OPEN"), (second, "RESOLVED")):
        refused = api.patch(f"/admin/reports/{report_id}", {"status": target}, token=token)
        assert refused.status == 409 and refused.body["error"]["code"] == "INVALID_TRANSITION"
    assert api.patch(f"/admin/reports/{second}", {"status": "CLOSED"}, token=token).status == 422
    assert api.patch("/admin/reports/nope", {"status": "RESOLVED"}, token=token).status == 404


def test_admin_routes_refuse_clients_and_pros(api, parties):
    client_id, client_token, pro_id, pro_token = parties
    report_id = report(api, booking(client_id, pro_id), client_token).body["id"]
    for token in (client_token, pro_token):
        for reply in (api.get("/admin/reports", token=token),
                      api.patch(f"/admin/reports/{report_id}", {"status": "RESOLVED"}, token=token),
                      api.post(f"/admin/users/{pro_id}/unban", token=token),
                      api.post(f"/admin/users/{client_id}/ban", {"reason": "x"}, token=token)):
            assert reply.status == 403 and reply.body["error"]["code"] == "FORBIDDEN"
    assert api.get("/admin/reports").status == 401


def test_unban_lifts_a_pro_suspension(api, parties):
    _, _, pro_id, pro_token = parties
    pro = get_user(pro_id)
    set_status(pro, "SUSPENDED", parse_timestamp(COMPLETED_AT) - timedelta(days=1),
               pro_consecutive_cancel_count=3)
    assert api.get("/me", token=pro_token).body["status"] == "SUSPENDED"
    assert api.post(f"/admin/users/{pro_id}/unban", token=admin(api)).body["status"] == "ACTIVE"
    assert api.get("/me", token=pro_token).body["status"] == "ACTIVE"
    assert (get_user(pro_id).pro_consecutive_cancel_count or 0) == 0  # absent = 0


def test_without_status_the_list_holds_every_status_high_first_then_oldest_paged(api, parties):
    # Given four reports in four statuses, two HIGH (completed booking) and two NORMAL
    client_id, client_token, pro_id, pro_token = parties
    old_booking = booking(client_id, pro_id, status="CONFIRMED", completed_at=None)
    done_booking = booking(client_id, pro_id)
    filed = []
    for minute, (booking_ref, token) in enumerate(((old_booking, client_token), (done_booking, client_token),
                                                   (done_booking, pro_token), (old_booking, pro_token)), 1):
        at(api, f"2026-12-01T13:0{minute}:00+00:00")
        filed.append(report(api, booking_ref, token).body["id"])
    normal_1, high_1, high_2, normal_2 = filed
    admin_token = admin(api)
    for report_id, status in ((high_1, "RESOLVED"), (high_2, "IN_REVIEW"), (normal_1, "REJECTED")):
        assert api.patch(f"/admin/reports/{report_id}", {"status": status},
                         token=admin_token).status == 200
    # When listing without status, Then every status, HIGH first then oldest
    listed = api.get("/admin/reports", token=admin_token).body
    assert [r["id"] for r in listed["items"]] == [high_1, high_2, normal_1, normal_2]
    assert {r["status"] for r in listed["items"]} == {"RESOLVED", "IN_REVIEW", "REJECTED", "OPEN"}
    # And paged, in the same order
    page = api.get("/admin/reports?limit=3", token=admin_token).body
    rest = api.get(f"/admin/reports?limit=3&nextToken={page['nextToken']}", token=admin_token).body
    assert [r["id"] for r in page["items"] + rest["items"]] == [high_1, high_2, normal_1, normal_2]
    assert rest["nextToken"] is None
    # And priority alone filters across statuses; status alone still filters
    normal = api.get("/admin/reports?priority=NORMAL", token=admin_token).body["items"]
    assert [r["id"] for r in normal] == [normal_1, normal_2]
    assert [r["id"] for r in api.get("/admin/reports?status=OPEN", token=admin_token).body["items"]] == [normal_2]
    high_done = api.get("/admin/reports?status=RESOLVED&priority=HIGH", token=admin_token).body["items"]
    assert [r["id"] for r in high_done] == [high_1]
