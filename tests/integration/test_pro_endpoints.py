"""Pro profile, services, weekly hours and exceptions (SPEC §4) through the real handlers."""

from __future__ import annotations

import pytest
from khadamat.dal.pros import listed_pros
from khadamat.dal.users import UserItem, user_key
from tests.integration.pro_helpers import MONDAY_8AM, set_attributes, set_clock, signup_and_login

PLOMBERIE_RANGE = {"categoryId": "plomberie", "pricingType": "RANGE", "minPriceMad": 150, "maxPriceMad": 400}


@pytest.fixture
def pro(api):
    set_clock(api, MONDAY_8AM)
    return signup_and_login(api, 1)


def put_services(api, token, *services):
    return api.put("/pro/services", {"services": list(services)}, token=token)


def test_profile_sets_and_clears_bio_and_whatsapp(api, pro):
    pro_id, token = pro
    # When the pro sets a bio and a WhatsApp number in the national form
    reply = api.put("/pro/profile", {"bio": "Plombier depuis 10 ans", "whatsapp": "0622222222"}, token=token)
    # Then the profile shows them, the number in E.164
    assert reply.status == 200, reply.body
    assert reply.body["proId"] == pro_id
    assert reply.body["bio"] == "Plombier depuis 10 ans" and reply.body["whatsapp"] == "+212622222222"
    # When only the bio is cleared, the WhatsApp number stays
    reply = api.put("/pro/profile", {"bio": None}, token=token)
    assert reply.body["bio"] is None and reply.body["whatsapp"] == "+212622222222"


def test_services_range_and_fixed_are_stored_and_shown_on_the_public_profile(api, pro):
    pro_id, token = pro
    set_attributes(pro_id, premium_until="2030-01-01T00:00:00.000000Z")
    reply = put_services(api, token, PLOMBERIE_RANGE, {"categoryId": "serrurerie", "fixedPriceMad": 250})
    assert reply.status == 200, reply.body
    # Then pricingType FIXED is inferred from fixedPriceMad alone
    assert reply.body["services"][1] == {"categoryId": "serrurerie", "pricingType": "FIXED",
                                         "minPriceMad": None, "maxPriceMad": None, "fixedPriceMad": 250}
    public = api.get(f"/pros/{pro_id}")
    assert public.status == 200
    assert [s["categoryId"] for s in public.body["services"]] == ["plomberie", "serrurerie"]
    assert public.body["services"][0]["minPriceMad"] == 150 and public.body["services"][0]["maxPriceMad"] == 400


def test_the_same_category_twice_is_422(api, pro):
    set_attributes(pro[0], premium_until="2030-01-01T00:00:00.000000Z")
    reply = put_services(api, pro[1], PLOMBERIE_RANGE, {**PLOMBERIE_RANGE, "minPriceMad": 100})
    assert reply.status == 422 and "twice" in reply.body["error"]["message"]


def test_without_premium_one_category_with_premium_three(api, pro):
    pro_id, token = pro
    two = [PLOMBERIE_RANGE, {"categoryId": "menage", "fixedPriceMad": 150}]
    # Given no Premium: a second category is 409 CATEGORY_LIMIT
    reply = put_services(api, token, *two)
    assert reply.status == 409 and reply.body["error"]["code"] == "CATEGORY_LIMIT"
    # Given Premium ended yesterday: still one
    set_attributes(pro_id, premium_until="2026-05-31T08:00:00.000000Z")
    assert put_services(api, token, *two).status == 409
    # Given active Premium: three are fine, a fourth is 409
    set_attributes(pro_id, premium_until="2026-07-01T00:00:00.000000Z")
    three = [*two, {"categoryId": "peinture", "fixedPriceMad": 300}]
    assert put_services(api, token, *three).status == 200
    reply = put_services(api, token, *three, {"categoryId": "jardinage", "fixedPriceMad": 90})
    assert reply.status == 409 and reply.body["error"]["code"] == "CATEGORY_LIMIT"


def test_replacing_services_moves_the_discovery_listing(api, pro):
    pro_id, token = pro
    assert put_services(api, token, PLOMBERIE_RANGE).status == 200
    # When the pro replaces plomberie by electricite
    assert put_services(api, token, {"categoryId": "electricite", "fixedPriceMad": 200}).status == 200
    # Then the profile is keyed under electricite only, in the same write as the services
    stored = UserItem.get(*user_key(pro_id))
    assert (stored.GSI1PK, stored.GSI1SK) == ("LISTING#casablanca#electricite", pro_id)
    assert [p.user_id for p in listed_pros("casablanca", "electricite")] == [pro_id]
    assert listed_pros("casablanca", "plomberie") == []
    plomberie = api.get("/pros?cityId=casablanca&categoryId=plomberie").body["items"]
    electricite = api.get("/pros?cityId=casablanca&categoryId=electricite").body["items"]
    assert plomberie == [] and [item["proId"] for item in electricite] == [pro_id]
    # An empty list lists the pro nowhere
    assert put_services(api, token).status == 200
    assert api.get("/pros?cityId=casablanca&categoryId=electricite").body["items"] == []


def test_weekly_hours_replace_and_read_back(api, pro):
    token = pro[1]
    days = [{"dayOfWeek": 6, "startMin": 480, "endMin": 720}, {"dayOfWeek": 1, "startMin": 540, "endMin": 1080}]
    reply = api.put("/pro/availability/weekly", {"days": days}, token=token)
    assert reply.status == 200, reply.body
    assert api.get("/pro/availability", token=token).body["weekly"] == sorted(days, key=lambda d: d["dayOfWeek"])
    # replacing with one day drops the others
    api.put("/pro/availability/weekly", {"days": [days[0]]}, token=token)
    assert api.get("/pro/availability", token=token).body["weekly"] == [days[0]]


def test_exception_create_list_delete_in_casablanca_time(api, pro):
    token = pro[1]
    # When the pro declares an exception given in UTC
    reply = api.post("/pro/availability/exceptions",
                     {"startAt": "2026-06-02T09:00:00Z", "endAt": "2026-06-02T11:00:00Z", "reason": "Mariage"},
                     token=token)
    # Then it is 201 with its id, rendered in Casablanca time (+01:00 in June 2026)
    assert reply.status == 201, reply.body
    created = reply.body
    assert created["startAt"] == "2026-06-02T10:00:00+01:00" and created["endAt"] == "2026-06-02T12:00:00+01:00"
    assert created["reason"] == "Mariage" and created["id"]
    assert api.get("/pro/availability", token=token).body["exceptions"] == [created]
    # When deleted, it is gone; a second delete is 404
    assert api.delete(f"/pro/availability/exceptions/{created['id']}", token=token).status == 204
    assert api.get("/pro/availability", token=token).body["exceptions"] == []
    again = api.delete(f"/pro/availability/exceptions/{created['id']}", token=token)
    assert again.status == 404 and again.body["error"]["code"] == "NOT_FOUND"
    assert api.delete(f"/pro/availability/exceptions/{'x' * 2000}", token=token).status == 404


def test_exception_after_the_switch_is_rendered_at_utc_plus_0(api, pro):
    reply = api.post("/pro/availability/exceptions",
                     {"startAt": "2026-12-01T10:00:00", "endAt": "2026-12-01T12:00:00"}, token=pro[1])
    assert reply.status == 201
    assert reply.body["startAt"] == "2026-12-01T10:00:00+00:00" and reply.body["reason"] is None


def test_another_pro_cannot_see_or_delete_my_exception(api, pro):
    _, token = pro
    created = api.post("/pro/availability/exceptions",
                       {"startAt": "2026-06-02T10:00:00", "endAt": "2026-06-02T11:00:00"}, token=token).body
    _, other_token = signup_and_login(api, 2)
    # When another pro tries to delete it: 404, as for an unknown id
    reply = api.delete(f"/pro/availability/exceptions/{created['id']}", token=other_token)
    assert reply.status == 404
    assert api.get("/pro/availability", token=other_token).body["exceptions"] == []
    # Then it is still there for its owner
    assert [e["id"] for e in api.get("/pro/availability", token=token).body["exceptions"]] == [created["id"]]


PRO_ROUTES = [("PUT", "/pro/profile", {"bio": "x"}), ("PUT", "/pro/services", {"services": []}),
              ("PUT", "/pro/availability/weekly", {"days": []}),
              ("POST", "/pro/availability/exceptions", {"startAt": "2026-06-02T10:00:00", "endAt": "2026-06-02T11:00:00"}),
              ("DELETE", "/pro/availability/exceptions/some-id", None), ("GET", "/pro/availability", None)]


def test_pro_routes_are_403_for_a_client_and_401_without_a_token(api):
    set_clock(api, MONDAY_8AM)
    _, client_token = signup_and_login(api, 3, role="CLIENT")
    for method, path, body in PRO_ROUTES:
        reply = api.call(method, path, body, token=client_token)
        assert (reply.status, reply.body["error"]["code"]) == (403, "FORBIDDEN"), (method, path)
        assert api.call(method, path, body).status == 401, (method, path)


def test_a_suspended_pro_still_manages_their_availability(api, pro):
    pro_id, token = pro
    set_attributes(pro_id, status="SUSPENDED")
    reply = api.put("/pro/availability/weekly", {"days": [{"dayOfWeek": 1, "startMin": 540, "endMin": 600}]}, token=token)
    assert reply.status == 200


def test_a_deleted_pro_leaves_the_listing_indexes(api, pro):
    pro_id, token = pro
    assert put_services(api, token, PLOMBERIE_RANGE).status == 200
    assert [p.user_id for p in listed_pros("casablanca", "plomberie")] == [pro_id]
    # When the pro deletes the account
    assert api.delete("/me", token=token).status == 204
    # Then the tombstone is keyed in no listing index
    assert listed_pros("casablanca", "plomberie") == []
    stored = UserItem.get(*user_key(pro_id))
    assert (stored.GSI1PK, stored.GSI2PK, stored.GSI4PK) == (None, None, None)
