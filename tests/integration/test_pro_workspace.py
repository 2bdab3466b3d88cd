"""The pro's workspace (SPEC §18): own profile, browse by city. Through the handlers, moto."""

from __future__ import annotations

import botocore.client
import pytest

from khadamat.domain.timeutil import parse_timestamp, to_storage
from tests.integration.pro_helpers import listed_ids as ids
from tests.integration.pro_helpers import (make_pro, monday, set_attributes,  # noqa: F401 (monday: fixture)
                                           signup_and_login)
from khadamat.dal.users import get_user
from khadamat.usecases import pros
from tests.integration.pro_helpers import now

PREMIUM_UNTIL = "2026-07-01T00:00:00.000000Z"


def utc(text: str) -> str:
    return to_storage(parse_timestamp(text))


# ---------------------------------------------------------------- GET /pro/profile
def test_own_profile_has_everything_the_pro_set(monday):
    api = monday
    pro_id, token = signup_and_login(api, 1)
    assert api.put("/pro/profile", {"bio": "Plombier", "whatsapp": "0612345678"}, token=token).status == 200
    assert api.put("/pro/services", {"services": [
        {"categoryId": "plomberie", "pricingType": "RANGE", "minPriceMad": 150, "maxPriceMad": 300}]},
        token=token).status == 200
    assert api.put("/pro/availability/weekly", {"days": [{"dayOfWeek": 1, "startMin": 540, "endMin": 1080}]},
                   token=token).status == 200
    set_attributes(pro_id, premium_until=PREMIUM_UNTIL, premium_plan="PREMIUM_MONTHLY_NO_COMMIT",
                   boosts=[{"categoryId": "plomberie", "startsAt": utc("2026-05-20T00:00:00"),
                            "endsAt": utc("2026-05-27T00:00:00")}])
    reply = api.get("/pro/profile", token=token)
    assert reply.status == 200, reply.body
    body = reply.body
    assert (body["proId"], body["firstName"], body["lastName"], body["cityId"]) == (pro_id, "Prenom b", "Nom b", "casablanca")
    assert (body["bio"], body["whatsapp"]) == ("Plombier", "+212612345678")
    assert body["services"] == [{"categoryId": "plomberie", "pricingType": "RANGE", "minPriceMad": 150,
                                 "maxPriceMad": 300, "fixedPriceMad": None}]
    assert body["weeklyHours"] == [{"dayOfWeek": 1, "startMin": 540, "endMin": 1080}]
    assert body["kycStatus"] == "NOT_SUBMITTED"
    assert body["badges"] == ["UNVERIFIED", "PREMIUM"]
    assert body["premium"] == {"active": True, "plan": "PREMIUM_MONTHLY_NO_COMMIT",
                               "until": "2026-07-01T01:00:00+01:00"}
    assert body["boosts"] == []  # the only boost is over
    assert body["photos"] == []
    assert body["rating"] == {"average": None, "count": 0}


def test_own_profile_is_for_pros_only(monday):
    _client_id, token = signup_and_login(monday, 2, role="CLIENT")
    assert monday.get("/pro/profile", token=token).status == 403
    assert monday.get("/pro/profile").status == 401


# ---------------------------------------------------------------- GET /pros?cityId=
def test_city_listing_without_category_ranks_every_listed_pro_of_the_city(monday):
    api = monday
    plumber = make_pro(1, rating_sum=250, rating_count=50)
    cleaner = make_pro(2, categories=("menage",), premium_until=PREMIUM_UNTIL)
    painter = make_pro(3, categories=("peinture",),
                       boosts=[{"categoryId": "peinture", "startsAt": utc("2026-05-31T00:00:00"),
                                "endsAt": utc("2026-06-07T00:00:00")}])
    newcomer = make_pro(4, categories=("jardinage",))
    make_pro(5, city_id="rabat-sale")
    make_pro(6, status="SUSPENDED")
    make_pro(7, categories=())  # no service: listed nowhere
    reply = api.get("/pros?cityId=casablanca")
    # boost (any listed category) first, then Premium, then quality (a 5.0 record above the prior)
    assert ids(reply) == [painter, cleaner, plumber, newcomer]
    by_id = {item["proId"]: item for item in reply.body["items"]}
    assert by_id[painter]["badges"] == ["UNVERIFIED", "SPONSORED"]
    assert by_id[cleaner]["categories"] == ["menage"]
    # paging: the same order, page by page, and the token is bound to the listing
    first = api.get("/pros?cityId=casablanca&limit=3")
    second = api.get(f"/pros?cityId=casablanca&limit=3&nextToken={first.body['nextToken']}")
    assert ids(first) + ids(second) == ids(reply) and second.body["nextToken"] is None
    other = api.get(f"/pros?cityId=casablanca&categoryId=plomberie&nextToken={first.body['nextToken']}")
    assert other.status == 400  # SPEC §1: a token from another listing
    # a pro that drops all services leaves the city listing
    pros.replace_services(get_user(newcomer), [], now())
    assert newcomer not in ids(api.get("/pros?cityId=casablanca"))


def test_city_listing_time_slot_filter_applies(monday):
    api = monday
    nine_to_six = make_pro(1)
    make_pro(2, categories=("menage",), weekly=[{"dayOfWeek": 1, "startMin": 600, "endMin": 660}])
    assert ids(api.get("/pros?cityId=casablanca&timeSlot=2026-06-01T09:00:00")) == [nine_to_six]


def test_city_listing_reads_one_index_query_and_never_scans(monday):
    api = monday
    wanted = {make_pro(1), make_pro(2, categories=("menage",)), make_pro(3, categories=("peinture",))}
    make_pro(4, city_id="rabat-sale")
    calls = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client, operation, params):
        if operation == "Scan":
            pytest.fail("a listing must never scan")
        response = original(client, operation, params)
        calls.append((operation, params.get("IndexName"), response.get("Count")))
        return response

    try:
        botocore.client.BaseClient._make_api_call = recording
        reply = api.get("/pros?cityId=casablanca")
    finally:
        botocore.client.BaseClient._make_api_call = original
    assert set(ids(reply)) == wanted
    assert [c for c in calls if c[0] == "Query"] == [("Query", "GSI5", 3)]
