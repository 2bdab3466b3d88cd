"""Discovery (SPEC §5): GET /pros, GET /pros/{proId}, GET /pros/{proId}/slots, through the handlers."""

from __future__ import annotations

import json

import botocore.client
import pytest

from khadamat.dal import availability
from khadamat.domain.timeutil import parse_timestamp, to_storage
from khadamat.usecases import pros
from tests.integration.pro_helpers import (MONDAY_8AM, make_pro, now, set_attributes,
                                           set_clock)

PREMIUM_UNTIL = "2026-07-01T00:00:00.000000Z"  # a month after MONDAY_8AM
LISTING = "/pros?cityId=casablanca&categoryId=plomberie"


def utc(text: str) -> str:
    return to_storage(parse_timestamp(text))


def boost(category_id: str, starts: str, ends: str) -> dict:
    return {"categoryId": category_id, "startsAt": utc(starts), "endsAt": utc(ends)}


def ids(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [item["proId"] for item in reply.body["items"]]


def assert_no_phone(reply) -> None:
    text = json.dumps(reply.body)
    assert "+212" not in text and "phone" not in text.lower() and "whatsapp" not in text.lower()


@pytest.fixture
def monday(api):
    set_clock(api, MONDAY_8AM)
    return api


# ---------------------------------------------------------------- GET /pros
def test_ranking_boost_then_premium_then_quality_with_recent_cancels_only(monday):
    api = monday
    recent, old = utc("2026-05-25T10:00:00"), utc("2026-04-20T10:00:00")
    # Given five pros of casablanca+plomberie
    newcomer = make_pro(1, boosts=[boost("menage", "2026-05-31T00:00:00", "2026-06-07T00:00:00"),
                                   boost("plomberie", "2026-05-20T00:00:00", "2026-05-27T00:00:00")])
    unreliable = make_pro(2, rating_sum=250, rating_count=50, pro_cancel_log=[recent, recent, old, old, old])
    excellent = make_pro(3, rating_sum=250, rating_count=50)
    premium = make_pro(4, premium_until=PREMIUM_UNTIL, rating_sum=3, rating_count=1)
    boosted = make_pro(5, kyc_status="APPROVED", boosts=[boost("plomberie", "2026-05-31T00:00:00", "2026-06-07T00:00:00")])
    # When a client lists them
    reply = api.get(LISTING)
    # Then: boost for this category, premium, 5.0 record, 5.0 record with 2 cancels in 30 days
    # (the 3 older ones do not count, else it would rank below the newcomer's prior of 4.0)
    assert ids(reply) == [boosted, premium, excellent, unreliable, newcomer]
    by_id = {item["proId"]: item for item in reply.body["items"]}
    assert by_id[boosted]["badges"] == ["VERIFIED", "SPONSORED"]
    assert by_id[premium]["badges"] == ["UNVERIFIED", "PREMIUM"]
    # a boost in another category, or an expired one, is no SPONSORED badge
    assert by_id[newcomer]["badges"] == ["UNVERIFIED"]
    assert by_id[excellent]["rating"] == {"average": 5.0, "count": 50}
    assert by_id[newcomer]["rating"] == {"average": None, "count": 0}
    assert by_id[premium] == {"proId": premium, "firstName": "Pro e", "lastName": "Nom e", "cityId": "casablanca",
                              "categories": ["plomberie"], "rating": {"average": 3.0, "count": 1},
                              "badges": ["UNVERIFIED", "PREMIUM"]}
    assert reply.body["nextToken"] is None
    assert_no_phone(reply)


def test_only_active_pros_of_that_city_and_category_are_listed(monday):
    api = monday
    shown = make_pro(1)
    hidden = [make_pro(2, status="BANNED"), make_pro(3, status="SUSPENDED"), make_pro(4, status="DELETED")]
    make_pro(5, city_id="rabat-sale")
    make_pro(6, categories=("menage",))
    assert ids(api.get(LISTING)) == [shown]
    for pro_id in hidden:
        reply = api.get(f"/pros/{pro_id}")
        assert (reply.status, reply.body["error"]["code"]) == (404, "PRO_NOT_FOUND")


def test_pages_follow_the_order_of_one_big_page(monday):
    api = monday
    for n in range(5):
        make_pro(n + 1)
    whole = api.get(f"{LISTING}&limit=50")
    pages, token = [], None
    while True:
        reply = api.get(f"{LISTING}&limit=2" + (f"&nextToken={token}" if token else ""))
        pages.append(ids(reply))
        token = reply.body["nextToken"]
        if token is None:
            break
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sum(pages, []) == ids(whole) and len(set(ids(whole))) == 5


def test_a_listing_started_before_midnight_keeps_its_order_after(monday):
    api = monday
    for n in range(4):
        make_pro(n + 1)
    set_clock(api, "2026-06-01T23:59:00")
    first = api.get(f"{LISTING}&limit=2")
    whole_that_day = ids(api.get(f"{LISTING}&limit=50"))
    set_clock(api, "2026-06-02T00:30:00")
    second = api.get(f"{LISTING}&limit=2&nextToken={first.body['nextToken']}")
    assert ids(first) + ids(second) == whole_that_day


@pytest.mark.parametrize("query,code", [
    ("categoryId=plomberie", "VALIDATION_ERROR"),
    ("cityId=agadir", "VALIDATION_ERROR"),
    ("cityId=agadir&categoryId=plomberie", "VALIDATION_ERROR"),
    ("cityId=casablanca&categoryId=astrologie", "VALIDATION_ERROR"),
    ("cityId=casablanca&categoryId=plomberie&limit=0", "VALIDATION_ERROR"),
    ("cityId=casablanca&categoryId=plomberie&limit=51", "VALIDATION_ERROR"),
    ("cityId=casablanca&categoryId=plomberie&limit=dix", "VALIDATION_ERROR"),
    ("cityId=casablanca&categoryId=plomberie&timeSlot=demain", "VALIDATION_ERROR"),
    ("cityId=casablanca&categoryId=plomberie&timeSlot=2026-06-02T10:30:00", "SLOT_NOT_ALIGNED"),
])
def test_query_rules_are_422(monday, query, code):
    reply = monday.get(f"/pros?{query}")
    assert (reply.status, reply.body["error"]["code"]) == (422, code)


@pytest.mark.parametrize("token", ["garbage!", "eyJvIjotMSwiZCI6IjIwMjYtMDYtMDEiLCJxIjoiIn0"])
def test_a_forged_token_is_400(monday, token):
    reply = monday.get(f"{LISTING}&nextToken={token}")
    assert (reply.status, reply.body["error"]["code"]) == (400, "BAD_REQUEST")


def test_a_token_of_another_listing_is_400(monday):
    api = monday
    for n in range(3):
        make_pro(n + 1, categories=("plomberie",))
    token = api.get(f"{LISTING}&limit=1").body["nextToken"]
    assert token
    reply = api.get(f"/pros?cityId=rabat-sale&categoryId=plomberie&nextToken={token}")
    assert reply.status == 400 and reply.body["error"]["code"] == "BAD_REQUEST"


def test_time_slot_keeps_only_pros_free_then(monday):
    api = monday
    slot = "2026-06-02T10:00:00"  # Tuesday 10:00, Casablanca
    free = make_pro(1)
    make_pro(2, weekly=[{"dayOfWeek": 1, "startMin": 540, "endMin": 1080}])  # Mondays only
    on_leave = make_pro(3)
    pros.create_exception(pros.find_bookable_pro(on_leave), "2026-06-02T09:30:00", "2026-06-02T10:30:00", None, now())
    booked = make_pro(4)
    availability.new_lock(booked, parse_timestamp(slot), "booking-1", now()).save()
    assert len(ids(api.get(LISTING))) == 4
    assert ids(api.get(f"{LISTING}&timeSlot={slot}")) == [free]
    # the same instant in UTC is the same slot
    assert ids(api.get(f"{LISTING}&timeSlot=2026-06-02T09:00:00Z")) == [free]
    # a slot already started is free for no one
    assert ids(api.get(f"{LISTING}&timeSlot=2026-06-01T07:00:00")) == []


def test_discovery_reads_by_index_only_and_only_that_listing(monday):
    api = monday
    wanted = {make_pro(1), make_pro(2), make_pro(3)}
    make_pro(4, city_id="rabat-sale")
    make_pro(5, categories=("menage",))
    calls = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client, operation, params):
        if operation == "Scan":
            pytest.fail("discovery must never scan the table")
        response = original(client, operation, params)
        calls.append((operation, params, response))
        return response

    try:
        botocore.client.BaseClient._make_api_call = recording
        reply = api.get(LISTING)
    finally:
        botocore.client.BaseClient._make_api_call = original
    assert set(ids(reply)) == wanted
    read_by_index = {}
    for operation, params, response in calls:
        if operation == "Query":
            read_by_index[params.get("IndexName")] = response["Count"]
        else:
            assert operation == "GetItem" and params["Key"]["PK"]["S"] == "DEV#CLOCK", operation
    # Then: one Query per listing index, the 3 profiles read once in all; nothing else
    assert read_by_index == {"GSI1": 3, "GSI2": 0, "GSI4": 0}


def test_a_second_or_third_service_lists_the_pro_through_its_own_index(monday):
    api = monday
    # Given a Premium pro whose services are plomberie, menage, peinture (in that order)
    pro_id = make_pro(1, categories=("plomberie", "menage", "peinture"), premium_until=PREMIUM_UNTIL)
    # Then the pro is listed once under each of them
    for category_id in ("plomberie", "menage", "peinture"):
        assert ids(api.get(f"/pros?cityId=casablanca&categoryId={category_id}")) == [pro_id]
    assert ids(api.get("/pros?cityId=rabat-sale&categoryId=menage")) == []


def test_premium_ended_keeps_only_the_first_category_listed(monday):
    api = monday
    pro_id = make_pro(1, categories=("plomberie", "menage"), premium_until=PREMIUM_UNTIL)
    assert ids(api.get("/pros?cityId=casablanca&categoryId=menage")) == [pro_id]
    # When Premium has ended
    set_clock(api, "2026-07-02T08:00:00")
    # Then only the first category stays listed, shown and bookable
    assert ids(api.get("/pros?cityId=casablanca&categoryId=menage")) == []
    listed = api.get(LISTING)
    assert ids(listed) == [pro_id] and listed.body["items"][0]["categories"] == ["plomberie"]
    profile = api.get(f"/pros/{pro_id}").body
    assert profile["categories"] == ["plomberie"] and "PREMIUM" not in profile["badges"]
    pro = pros.find_bookable_pro(pro_id)
    assert pros.offers_category(pro, "plomberie", now()) and not pros.offers_category(pro, "menage", now())
    # When Premium is active again, the second category comes back by itself
    set_attributes(pro_id, premium_until="2026-08-01T00:00:00.000000Z")
    assert ids(api.get("/pros?cityId=casablanca&categoryId=menage")) == [pro_id]


# ---------------------------------------------------------------- GET /pros/{proId}
def test_public_profile_has_services_rating_badges_and_no_phone(monday):
    api = monday
    pro_id = make_pro(1, kyc_status="APPROVED", rating_sum=9, rating_count=2, bio="Electricien agréé")
    reply = api.get(f"/pros/{pro_id}")
    assert reply.status == 200
    assert reply.body == {
        "proId": pro_id, "firstName": "Pro b", "lastName": "Nom b", "cityId": "casablanca",
        "bio": "Electricien agréé", "categories": ["plomberie"],
        "services": [{"categoryId": "plomberie", "pricingType": "FIXED", "minPriceMad": None,
                      "maxPriceMad": None, "fixedPriceMad": 200}],
        "rating": {"average": 4.5, "count": 2}, "badges": ["VERIFIED"], "photos": []}
    assert_no_phone(reply)


def test_unknown_or_non_pro_ids_are_404_pro_not_found(monday):
    api = monday
    client_id = make_pro(1)
    set_attributes(client_id, role="CLIENT")
    for pro_id in ("no-such-pro", client_id, "x" * 3000):
        for path in (f"/pros/{pro_id}", f"/pros/{pro_id}/slots"):
            reply = api.get(path)
            assert (reply.status, reply.body["error"]["code"]) == (404, "PRO_NOT_FOUND"), path


# ---------------------------------------------------------------- GET /pros/{proId}/slots
TUESDAY_9_TO_12 = [{"dayOfWeek": 2, "startMin": 540, "endMin": 720}]


def test_slots_are_free_future_hours_ascending(monday):
    api = monday
    pro_id = make_pro(1, weekly=TUESDAY_9_TO_12)
    expected = ["2026-06-02T09:00:00+01:00", "2026-06-02T10:00:00+01:00", "2026-06-02T11:00:00+01:00"]
    assert api.get(f"/pros/{pro_id}/slots?from=2026-06-01&days=7").body == {"slots": expected}
    # from defaults to today (local), days to 7
    assert api.get(f"/pros/{pro_id}/slots").body == {"slots": expected}
    # Wednesday 2026-06-03 + 6 days ends before the next Tuesday
    assert api.get(f"/pros/{pro_id}/slots?from=2026-06-03&days=6").body == {"slots": []}
    # an exception and a lock take their hours out
    pros.create_exception(pros.find_bookable_pro(pro_id), "2026-06-02T10:00:00", "2026-06-02T10:01:00", None, now())
    availability.new_lock(pro_id, parse_timestamp("2026-06-02T11:00:00"), "booking-1", now()).save()
    assert api.get(f"/pros/{pro_id}/slots").body == {"slots": expected[:1]}
    # a slot that has started is gone
    set_clock(api, "2026-06-02T09:00:00")
    assert api.get(f"/pros/{pro_id}/slots").body == {"slots": []}


def test_slots_of_a_week_crossing_the_switch_to_utc_plus_0(api):
    # Given a pro there 09:00-10:00 every day, and today Thursday 2026-09-17
    set_clock(api, "2026-09-17T06:00:00")
    pro_id = make_pro(1, weekly=[{"dayOfWeek": d, "startMin": 540, "endMin": 600} for d in range(7)])
    reply = api.get(f"/pros/{pro_id}/slots?from=2026-09-17&days=7")
    # Then each day's slot is 09:00 local, +01:00 until the 19th, +00:00 from the 20th
    assert reply.body["slots"] == [
        "2026-09-17T09:00:00+01:00", "2026-09-18T09:00:00+01:00", "2026-09-19T09:00:00+01:00",
        "2026-09-20T09:00:00+00:00", "2026-09-21T09:00:00+00:00", "2026-09-22T09:00:00+00:00",
        "2026-09-23T09:00:00+00:00"]


@pytest.mark.parametrize("query", ["days=0", "days=15", "days=sept", "from=2026-6-1", "from=01/06/2026",
                                   "from=2026-02-30", "from=20260601", "from=2028-01-01", "from=0001-01-01"])
def test_slots_query_rules_are_422(monday, query):
    # the query is checked before the pro is looked up
    reply = monday.get(f"/pros/any-pro/slots?{query}")
    assert (reply.status, reply.body["error"]["code"]) == (422, "VALIDATION_ERROR"), query
