"""« Reco semaine » (SPEC §18): the recommend-pros job and GET /pros/recommended."""

from __future__ import annotations

import threading

import botocore.client
import pytest

from khadamat import clock
from khadamat.usecases import pros
from tests.integration.pro_helpers import listed_ids as ids
from tests.integration.pro_helpers import make_pro, monday, now, set_attributes  # noqa: F401 (monday: fixture)

PREMIUM_UNTIL = "2026-07-01T00:00:00.000000Z"
RECO = "/pros/recommended?cityId=casablanca&categoryId=plomberie"


def test_the_job_picks_up_to_five_premium_pros_by_quality(monday):
    api = monday
    premium = [make_pro(n, premium_until=PREMIUM_UNTIL, rating_sum=5 * n, rating_count=n)
               for n in range(1, 7)]  # averages 5.0, more reviews → higher Bayesian score
    make_pro(7, rating_sum=500, rating_count=100)                  # not Premium: never picked
    make_pro(8, premium_until=PREMIUM_UNTIL, city_id="rabat-sale")  # another city
    make_pro(9, premium_until=PREMIUM_UNTIL, status="SUSPENDED")
    assert api.get(RECO).body == {"items": []}  # before the first run
    summary = api.post("/_dev/jobs/recommend-pros").body["summary"]
    assert summary["listings"] == 24 and summary["recommended"] == 5 + 1
    reply = api.get(RECO)
    assert ids(reply) == list(reversed(premium))[:5]
    listing = {item["proId"]: item for item in api.get("/pros?cityId=casablanca&categoryId=plomberie&limit=50").body["items"]}
    for item in reply.body["items"]:
        # the same item as GET /pros, with RECOMMENDED added
        assert item == {**listing[item["proId"]], "badges": [*listing[item["proId"]]["badges"], "RECOMMENDED"]}
    # until the next run; a pro suspended meanwhile is left out at once
    set_attributes(premium[5], status="SUSPENDED")
    assert ids(api.get(RECO)) == list(reversed(premium))[1:5]
    # running again (idempotent) picks from the listing as it is now
    api.post("/_dev/jobs/recommend-pros")
    assert ids(api.get(RECO)) == list(reversed(premium))[1:6]


def test_two_runs_at_once_leave_one_consistent_pick(monday):
    picked = [make_pro(n, premium_until=PREMIUM_UNTIL) for n in range(1, 4)]
    moment = now()
    errors = []

    def run():
        try:
            pros.recommend_pros(moment)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(ids(monday.get(RECO))) == sorted(picked)


def test_the_job_reads_only_the_listings(monday):
    make_pro(1, premium_until=PREMIUM_UNTIL)
    operations = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client_, operation, params):
        if operation == "Scan":
            pytest.fail("no scan")
        operations.append((operation, params.get("IndexName")))
        return original(client_, operation, params)

    try:
        botocore.client.BaseClient._make_api_call = recording
        clock.begin_invocation()
        pros.recommend_pros(clock.now())
    finally:
        botocore.client.BaseClient._make_api_call = original
    # per city+category: one Query per listing index, one PutItem
    assert operations.count(("PutItem", None)) == 24
    assert {op for op in operations if op[0] == "Query"} == {("Query", "GSI1"), ("Query", "GSI2"), ("Query", "GSI4")}
    assert len([op for op in operations if op[0] == "Query"]) == 24 * 3


def test_query_rules(monday):
    assert monday.get("/pros/recommended?cityId=casablanca").status == 422
    assert monday.get("/pros/recommended?cityId=agadir&categoryId=plomberie").status == 422


def test_the_schedule_is_monday_six_in_casablanca():
    from infra.local.template import schedule_expression_error
    from tests.conftest import TEMPLATE

    [event] = TEMPLATE.function("RecommendProsJobFunction").events.values()
    props = event["Properties"]
    assert event["Type"] == "ScheduleV2"
    assert props["ScheduleExpression"] == "cron(0 6 ? * MON *)"
    assert schedule_expression_error(props["ScheduleExpression"]) is None
    assert props["ScheduleExpressionTimezone"] == "Africa/Casablanca"
