"""Field rules of the pro endpoints (SPEC §4): every case a 422, against one shared pro.

Nothing here changes state, so the module shares one embedded AWS and one signed-in pro
(a signup and a login cost two Argon2 hashes).
"""

from __future__ import annotations

import pytest

from infra.local.resources import in_process_aws
from tests.conftest import TEMPLATE
from tests.integration.conftest import Api
from tests.integration.pro_helpers import MONDAY_8AM, set_clock, signup_and_login


def put_services(api, token, *services):
    return api.put("/pro/services", {"services": list(services)}, token=token)


@pytest.fixture(scope="module")
def shared():
    """One pro for the tests that only get 422s (nothing changes): saves a signup per case."""
    with in_process_aws(TEMPLATE):
        api = Api()
        set_clock(api, MONDAY_8AM)
        yield api, signup_and_login(api, 1)[1]


@pytest.mark.parametrize("body", [{"whatsapp": "0512345678"}, {"bio": "x" * 1001}])
def test_profile_field_rules_are_422(shared, body):
    api = shared[0]
    reply = api.put("/pro/profile", body, token=shared[1])
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("service,named", [
    ({"categoryId": "astrologie", "fixedPriceMad": 100}, "categoryId"),
    ({"categoryId": "plomberie", "pricingType": "RANGE", "minPriceMad": 500, "maxPriceMad": 100}, "minPriceMad"),
    ({"categoryId": "plomberie", "pricingType": "RANGE", "minPriceMad": 100}, "maxPriceMad"),
    ({"categoryId": "plomberie", "pricingType": "FIXED"}, "fixedPriceMad"),
    ({"categoryId": "plomberie", "pricingType": "FIXED", "fixedPriceMad": 100, "minPriceMad": 50}, "RANGE"),
    ({"categoryId": "plomberie", "pricingType": "HOURLY", "fixedPriceMad": 100}, "pricingType"),
    ({"categoryId": "plomberie", "fixedPriceMad": "100"}, "fixedPriceMad"),
    ({"categoryId": "plomberie", "fixedPriceMad": 99.5}, "fixedPriceMad"),
    ({"categoryId": "plomberie", "fixedPriceMad": 0}, "fixedPriceMad"),
    ({"categoryId": "plomberie", "fixedPriceMad": 100_001}, "fixedPriceMad"),
    ({"categoryId": "plomberie", "fixedPriceMad": True}, "fixedPriceMad"),
])
def test_service_field_rules_are_422_naming_the_field(shared, service, named):
    api = shared[0]
    reply = put_services(api, shared[1], service)
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "VALIDATION_ERROR" and named in reply.body["error"]["message"]


@pytest.mark.parametrize("days,named", [
    ([{"dayOfWeek": 1, "startMin": 540, "endMin": 570}], "multiple of 60"),
    ([{"dayOfWeek": 1, "startMin": 600, "endMin": 600}], "less than"),
    ([{"dayOfWeek": 7, "startMin": 540, "endMin": 600}], "dayOfWeek"),
    ([{"dayOfWeek": 1, "startMin": 540, "endMin": 1500}], "endMin"),
    ([{"dayOfWeek": 1, "startMin": -60, "endMin": 600}], "startMin"),
    ([{"dayOfWeek": 1, "startMin": "540", "endMin": 600}], "startMin"),
    ([{"dayOfWeek": 2, "startMin": 540, "endMin": 600}, {"dayOfWeek": 2, "startMin": 720, "endMin": 780}], "at most one"),
    ([{"dayOfWeek": d, "startMin": 0, "endMin": 60} for d in range(8)], "days"),
])
def test_weekly_hours_rules_are_422(shared, days, named):
    api = shared[0]
    reply = api.put("/pro/availability/weekly", {"days": days}, token=shared[1])
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"
    assert named in reply.body["error"]["message"]


@pytest.mark.parametrize("body", [
    {"startAt": "demain", "endAt": "2026-06-02T11:00:00"},
    {"startAt": "2026-06-02T11:00:00", "endAt": "2026-06-02T11:00:00"},
    {"startAt": "2026-06-02T12:00:00", "endAt": "2026-06-02T11:00:00"},
    {"startAt": "2026-05-01T10:00:00", "endAt": "2026-05-02T10:00:00"},
    {"startAt": "2026-06-02T10:00:00", "endAt": "2027-06-03T10:00:00"},
    {"startAt": "2026-06-02T10:00:00"},
    {"startAt": "2026-06-02T10:00:00", "endAt": "2026-06-02T11:00:00", "reason": "x" * 501},
])
def test_exception_rules_are_422(shared, body):
    api = shared[0]
    reply = api.post("/pro/availability/exceptions", body, token=shared[1])
    assert reply.status == 422 and reply.body["error"]["code"] == "VALIDATION_ERROR"
