"""GET /pro/dashboard (SPEC §18): a history scripted with the dev clock, each number checked.

The counters are written by the booking transactions themselves (dal.pro_stats); the
dashboard reads the caller and one Query of the pro's hour items, whatever the history.
"""

from __future__ import annotations

from infra.bench.counting import counting
from khadamat.dal.users import UserItem, user_key
from tests.integration.booking_helpers import (PREMIUM_FOREVER, act, at, book, make_pro, set_clock,
                                               signup_and_login)

DAY = 24


def set_price(pro_id: str, service: dict) -> None:
    UserItem(*user_key(pro_id)).update(actions=[UserItem.services.set([{"categoryId": "plomberie", **service}])])


def request(api, client, pro, created_h: float, slot_h: int) -> str:
    set_clock(api, at(created_h), client, pro)
    reply = book(api, client, pro, slot=at(slot_h))
    assert reply.status == 201, reply.body
    return reply.body["id"]


def answer(api, pro, booking_id: str, at_h: float, action: str, body=None) -> None:
    set_clock(api, at(at_h), pro)
    reply = act(api, pro, booking_id, action, body)
    assert reply.status == 200, reply.body


def dashboard(api, pro, calls=None):
    set_clock(api, at(0), pro)
    reply = api.get("/pro/dashboard", token=pro.token)
    assert reply.status == 200, reply.body
    return reply.body


def test_dashboard_numbers_follow_the_scripted_history(api):
    set_clock(api, at(-40 * DAY))
    pro = make_pro(api)  # RANGE 100–300 MAD: 200 as booked
    clients = [signup_and_login(api, "CLIENT") for _ in range(6)]
    c = iter(clients)

    # 35 days ago: a request confirmed and completed: outside every window
    old = request(api, clients[0], pro, -35 * DAY, -35 * DAY + 5)
    answer(api, pro, old, -35 * DAY + 0.5, "confirm")
    answer(api, pro, old, -35 * DAY + 7, "complete")
    next(c)
    # 20 days ago: confirmed; the price changes to FIXED 450 before it is completed (19 days ago):
    # it counts at 200, the price it was booked at
    first = request(api, clients[1], pro, -20 * DAY, -19 * DAY)
    answer(api, pro, first, -20 * DAY + 0.25, "confirm")
    set_price(pro.id, {"pricingType": "FIXED", "fixedPriceMad": 450})
    answer(api, pro, first, -19 * DAY + 2, "complete")
    # 10 days ago: booked at 450, completed 9 days ago
    second = request(api, clients[1], pro, -10 * DAY, -9 * DAY)
    answer(api, pro, second, -10 * DAY + 1, "confirm")
    answer(api, pro, second, -9 * DAY + 2, "complete")
    # 3 days ago: declined after 60 minutes
    declined = request(api, clients[2], pro, -3 * DAY, -2 * DAY)
    answer(api, pro, declined, -3 * DAY + 1, "decline")
    # 2 days ago: confirmed after 20 minutes, then cancelled by the pro the day before its slot
    cancelled = request(api, clients[3], pro, -2 * DAY, 2 * DAY)
    answer(api, pro, cancelled, -2 * DAY + 1 / 3, "confirm")
    answer(api, pro, cancelled, -1 * DAY, "cancel", {"reason": "Malade"})
    # yesterday 10:00: never answered, expired by the job at 22:30
    expired = request(api, clients[4], pro, -22, 30)
    set_clock(api, at(-9.5))
    assert api.post("/_dev/jobs/expire-bookings").body["summary"] == {"expired": 1}
    # yesterday 23:00, today 07:00 and 07:30: still pending
    request(api, clients[4], pro, -9, 30)
    request(api, clients[5], pro, -1, 31)
    request(api, clients[5], pro, -0.5, 32)
    assert expired

    body = dashboard(api, pro)
    assert body == {
        "requestsToday": 2,
        "pendingNow": 3,
        # created in the last 7 × 24 h: declined, confirmed (then cancelled), expired, 3 pending
        "acceptanceRate7d": round(1 / 3, 4),
        "medianResponseMinutes7d": 40.0,  # 60 and 20 minutes
        "rating": {"average": None, "count": 0},
        "completed30d": 2,
        "cancelledByPro30d": 1,
        "estimatedRevenue30dMad": 200 + 450,
        "daily": None,  # Premium only
    }

    # with Premium, `daily` appears: 30 local dates, each event on the day it happened
    UserItem(*user_key(pro.id)).update(actions=[UserItem.premium_until.set(PREMIUM_FOREVER)])
    body = dashboard(api, pro)
    daily = body["daily"]
    assert len(daily) == 30 and daily[0]["date"] == "2026-11-02" and daily[-1]["date"] == "2026-12-01"
    by_date = {entry["date"]: entry for entry in daily}
    assert by_date["2026-12-01"] == {"date": "2026-12-01", "requests": 2, "confirmed": 0, "completed": 0}
    assert by_date["2026-11-30"] == {"date": "2026-11-30", "requests": 2, "confirmed": 0, "completed": 0}
    assert by_date["2026-11-29"]["confirmed"] == 1 and by_date["2026-11-29"]["requests"] == 1
    assert by_date["2026-11-21"] == {"date": "2026-11-21", "requests": 1, "confirmed": 1, "completed": 0}
    assert by_date["2026-11-22"]["completed"] == 1
    assert by_date["2026-11-11"] == {"date": "2026-11-11", "requests": 1, "confirmed": 1, "completed": 0}
    assert by_date["2026-11-12"]["completed"] == 1
    assert sum(entry["requests"] for entry in daily) == 8  # the one 35 days ago is outside

    # 12 hours on, the three pending requests are past their expiry: not pending any more,
    # even before the expiry job has run (the entry carries expiresAt)
    set_clock(api, at(12), pro)
    later = api.get("/pro/dashboard", token=pro.token).body
    assert (later["pendingNow"], later["requestsToday"]) == (0, 2)


def test_dashboard_is_two_requests_whatever_the_history(api):
    set_clock(api, at(-3 * DAY))
    pro = make_pro(api)
    client = signup_and_login(api, "CLIENT")
    for n in range(3):
        booking_id = request(api, client, pro, -3 * DAY + n, -2 * DAY + n)
        answer(api, pro, booking_id, -3 * DAY + n + 0.5, "confirm")
    set_clock(api, at(0), pro)
    with counting() as tally:  # DynamoDB requests, the local clock's reads aside
        reply = api.get("/pro/dashboard", token=pro.token)
    assert reply.status == 200 and reply.body["pendingNow"] == 0
    assert tally.operations == {"GetItem": 1, "Query": 1}


def test_a_long_history_is_still_two_requests_and_only_the_window_is_read(api):
    """A year of events (written as the transactions would) is outside the Query's key range."""
    from datetime import timedelta

    from khadamat.dal import pro_stats
    from khadamat.domain.timeutil import parse_timestamp, to_storage

    set_clock(api, at(0))
    pro = make_pro(api)
    now = parse_timestamp(at(0))
    delta = pro_stats.StatsDelta()
    for hours_back in range(1, 365 * 24, 7):  # one completion every 7 hours for a year
        moment = now - timedelta(hours=hours_back)
        delta._add(pro.id, moment, "completions", f"{to_storage(moment)}|b{hours_back}|100")
    for item, actions in delta.updates():
        item.update(actions=actions)
    set_clock(api, at(0), pro)
    with counting() as tally:  # DynamoDB requests, the local clock's reads aside
        body = api.get("/pro/dashboard", token=pro.token).body
    in_window = len([h for h in range(1, 365 * 24, 7) if h < 30 * 24])
    assert (body["completed30d"], body["estimatedRevenue30dMad"]) == (in_window, 100 * in_window)
    assert tally.operations == {"GetItem": 1, "Query": 1}
    # the caller, then the window's hour items, not the year's 1,252
    assert in_window <= tally.items_read - 1 < 2 * in_window
