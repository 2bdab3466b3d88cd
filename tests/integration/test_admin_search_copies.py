"""Admin user search by name prefix (SPEC §17, issue 18 item 5): the name-key items carry a
copy of the account's summary, so the search is the caller's read + one Query. Each writer of
a summary field is driven through the API, then the search's answer must equal the user's
detail (and the raw store must hold no stale copy: tests/e2e/invariants.py)."""

from __future__ import annotations

import pytest

from infra.admin import backfill_name_keys
from infra.bench.counting import counting
from khadamat.dal import users
from tests.e2e.invariants import name_copy_violations
from tests.integration.booking_helpers import (PASSWORD, act, at, last_code, make_admin, make_pro, set_clock,
                                               signup_and_login, table_items)
from tests.integration.s3_fixtures import fresh_s3_client, s3  # noqa: F401  (fixtures)
from tests.integration.test_bookings import created
from tests.integration.test_kyc import upload_all

SUMMARY = ("id", "role", "status", "firstName", "lastName", "phone", "email", "cityId", "kycStatus",
           "sanctionTier", "createdAt")


@pytest.fixture
def admin(api):
    set_clock(api)
    return make_admin(api)


def searched(api, admin, user_id: str, query: str) -> dict | None:
    """The user's item in a name-prefix search (every page read), or None."""
    found, token = [], None
    while True:
        path = f"/admin/users?query={query}&limit=100" + (f"&nextToken={token}" if token else "")
        reply = api.get(path, token=admin.token)
        assert reply.status == 200, reply.body
        found += reply.body["items"]
        if not (token := reply.body["nextToken"]):
            return next((item for item in found if item["id"] == user_id), None)


def assert_search_matches_detail(api, admin, user_id: str) -> dict:
    """By first-name and by last-name prefix, the search item equals the detail's fields."""
    admin.login(api)
    detail = api.get(f"/admin/users/{user_id}", token=admin.token)
    assert detail.status == 200, detail.body
    expected = {key: detail.body[key] for key in SUMMARY}
    for name in (detail.body["firstName"], detail.body["lastName"]):
        assert searched(api, admin, user_id, name[:3]) == expected, name
    assert name_copy_violations(table_items("USER#")) == []
    return expected


def test_a_name_prefix_search_is_the_callers_read_and_one_query(api, admin):
    client = signup_and_login(api, "CLIENT", firstName="Éloïse", lastName="Benali")
    with counting() as tally:
        reply = api.get("/admin/users?query=ÉLO", token=admin.token)
    assert [item["id"] for item in reply.body["items"]] == [client.id]
    assert reply.body["items"][0] == assert_search_matches_detail(api, admin, client.id)
    assert tally.requests == 2 and tally.operations["Query"] == 1, tally.operations


def test_patch_me_ban_unban_and_phone_change_reach_the_search(api, admin):
    from tests.integration.test_phone_codes import check, send

    client = signup_and_login(api, "CLIENT")
    assert_search_matches_detail(api, admin, client.id)
    reply = api.patch("/me", {"firstName": "Zoubida", "lastName": "Ëlmansouri", "email": "Zb@Example.ma"},
                      token=client.token)
    assert reply.status == 200, reply.body
    seen = assert_search_matches_detail(api, admin, client.id)
    assert (seen["firstName"], seen["email"]) == ("Zoubida", "zb@example.ma")
    assert searched(api, admin, client.id, "Pré") is None  # the old first name's entry moved
    assert api.post(f"/admin/users/{client.id}/ban", {"reason": "fraude"}, token=admin.token).status == 200
    assert assert_search_matches_detail(api, admin, client.id)["status"] == "BANNED"
    assert api.post(f"/admin/users/{client.id}/unban", token=admin.token).status == 200
    assert assert_search_matches_detail(api, admin, client.id)["status"] == "ACTIVE"
    new = "0677777701"
    assert send(api, new, "CHANGE_PHONE", client.token).status == 202
    assert check(api, new, last_code(api, new), "CHANGE_PHONE", client.token).status == 200
    assert assert_search_matches_detail(api, admin, client.id)["phone"] == "+212677777701"
    assert api.delete("/me", token=client.token).status == 204
    assert searched(api, admin, client.id, "Zou") is None and searched(api, admin, client.id, "Ëlm") is None
    assert name_copy_violations(table_items("USER#")) == []


def test_kyc_submit_approve_reject_and_the_dev_shortcut_reach_the_search(api, admin, s3):
    approved, rejected = make_pro(api), make_pro(api)
    for pro in (approved, rejected):
        assert_search_matches_detail(api, admin, pro.id)
        upload_all(api, s3, pro.token)
        assert api.post("/pro/kyc/submit", token=pro.token).status == 200
        assert assert_search_matches_detail(api, admin, pro.id)["kycStatus"] == "PENDING"
    assert api.post(f"/admin/kyc/{approved.id}/approve", token=admin.token).status == 200
    assert assert_search_matches_detail(api, admin, approved.id)["kycStatus"] == "APPROVED"
    assert api.post(f"/admin/kyc/{rejected.id}/reject", {"reason": "CIN illisible"}, token=admin.token).status == 200
    assert assert_search_matches_detail(api, admin, rejected.id)["kycStatus"] == "REJECTED"
    assert api.post(f"/_dev/pros/{rejected.id}/state", {"kycStatus": "APPROVED"}).status == 200
    assert assert_search_matches_detail(api, admin, rejected.id)["kycStatus"] == "APPROVED"
    # a profile change that is no summary field leaves the copies as they are (and equal)
    assert api.put("/pro/profile", {"bio": "Plombier depuis 2001"}, token=approved.token).status == 200
    assert_search_matches_detail(api, admin, approved.id)
    assert api.delete("/me", token=approved.token).status == 204
    assert searched(api, admin, approved.id, "Pré") is None
    assert name_copy_violations(table_items("USER#")) == []


def test_late_cancel_sanctions_up_to_the_ban_reach_the_search(api, admin):
    client, pro = signup_and_login(api, "CLIENT"), make_pro(api)
    ids = []
    for hour in range(2, 7):
        ids.append(created(api, client, pro, slot=at(hour))["id"])
        assert act(api, pro, ids[-1], "confirm").status == 200
    tiers = []
    for booking_id in ids:
        assert act(api, client, booking_id, "cancel").body["status"] == "CANCELLED_BY_CLIENT_LATE"
        seen = assert_search_matches_detail(api, admin, client.id)
        tiers.append((seen["sanctionTier"], seen["status"]))
    assert tiers[0] == (0, "ACTIVE") and tiers[1] == (1, "ACTIVE") and tiers[-1][1] == "BANNED"


def test_a_pros_suspension_by_its_cancels_reaches_the_search(api, admin):
    client, pro = signup_and_login(api, "CLIENT"), make_pro(api)
    for hour in (20, 21, 22):
        booking_id = created(api, client, pro, slot=at(hour))["id"]
        assert act(api, pro, booking_id, "confirm").status == 200
        assert act(api, pro, booking_id, "cancel", {"reason": "empêchement"}).status == 200
    assert assert_search_matches_detail(api, admin, pro.id)["status"] == "SUSPENDED"


def test_the_backfill_rewrites_copies_an_older_build_wrote_without_the_summary(api, admin):
    client = signup_and_login(api, "CLIENT", firstName="Ahlâm", lastName="Cherkaoui")
    for part in users.NAME_PARTS:  # what signup wrote before the copies existed: the index entry only
        users.NameKeyItem(*users.name_key(client.id, part)).update(
            actions=[getattr(users.NameKeyItem, field).remove() for field in users.SUMMARY_FIELDS])
    gone = signup_and_login(api, "CLIENT")
    assert api.delete("/me", token=gone.token).status == 204
    users.NameKeyItem(*users.name_key(gone.id, "FIRST"), user_id=gone.id).save()  # a leftover
    assert name_copy_violations(table_items("USER#"))
    assert backfill_name_keys.main([client.id, gone.id]) == 0
    assert_search_matches_detail(api, admin, client.id)
    assert api.post("/auth/login", {"login": client.phone, "password": PASSWORD}).status == 200


def test_paging_filters_and_bound_tokens_over_the_copies(api, admin):
    people = [signup_and_login(api, "CLIENT", firstName="Zineb") for _ in range(3)]
    pro = make_pro(api, firstName="Zinedine")
    assert api.post(f"/admin/users/{people[0].id}/ban", {"reason": "fraude"}, token=admin.token).status == 200
    seen, token, pages = [], None, 0
    while True:
        reply = api.get("/admin/users?query=zin&limit=1" + (f"&nextToken={token}" if token else ""),
                        token=admin.token)
        assert reply.status == 200 and len(reply.body["items"]) <= 1, reply.body
        seen += [item["id"] for item in reply.body["items"]]
        pages += 1
        if not (token := reply.body["nextToken"]):
            break
        assert api.get(f"/admin/users?query=zine&limit=1&nextToken={token}", token=admin.token).status == 400
    assert sorted(seen) == sorted([p.id for p in people] + [pro.id]) and pages >= 4
    banned = api.get("/admin/users?query=zin&status=BANNED", token=admin.token).body["items"]
    assert [item["id"] for item in banned] == [people[0].id]
    pros = api.get("/admin/users?query=ZÏN&role=PRO", token=admin.token).body["items"]
    assert [(item["id"], item["kycStatus"]) for item in pros] == [(pro.id, "NOT_SUBMITTED")]
