"""Reschedule races over HTTP against the local stack (SPEC §19), checked from the store.

Under any interleaving: at most one booking holds a pro hour, every lock belongs to a CONFIRMED
(or COMPLETED) booking that holds that hour, no PENDING request is left in a held hour once the
follow-ups ran, and every CONFIRMED booking's reminder entry is that of its current hour
(tests/e2e/invariants.py). Each race is repeated a few rounds.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.e2e.booking_support import booking_stack, in_parallel  # noqa: F401  (fixture)
from tests.e2e.invariants import Store, assert_store_consistent, held_hour_violations

ROUNDS = 2


def slot(days: int, hour: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return day.isoformat()


def confirmed(stack, client, pro, time_slot) -> str:
    reply = stack.post("/bookings", {"proId": pro["id"], "categoryId": "plomberie", "timeSlot": time_slot},
                       token=client["token"])
    assert reply.status_code == 201, reply.text
    booking_id = reply.json()["id"]
    answer = stack.post(f"/bookings/{booking_id}/confirm", token=pro["token"])
    assert answer.status_code == 200, answer.text
    return booking_id


def propose(stack, who, booking_id, time_slot) -> None:
    reply = stack.post(f"/bookings/{booking_id}/reschedule", {"timeSlot": time_slot}, token=who["token"])
    assert reply.status_code == 201, reply.text


def status(stack, booking_id) -> dict:
    return stack.items(f"BOOKING#{booking_id}", "BOOKING")[0]


def error_codes(replies) -> set[str]:
    return {r.json()["error"]["code"] for r in replies if r.status_code >= 400}


def consistent(stack) -> None:
    store = Store(stack.endpoint)
    assert_store_consistent(store)
    problems = held_hour_violations(store.items())
    assert not problems, "\n".join(problems)


def test_accept_against_a_confirm_of_another_booking_on_the_new_hour(booking_stack):
    stack = booking_stack
    pro, mover, rival = stack.pro(), stack.account("CLIENT"), stack.account("CLIENT")
    for round_ in range(ROUNDS):
        old, new = slot(5, 8 + round_), slot(5, 14 + round_)
        moving = confirmed(stack, mover, pro, old)
        propose(stack, mover, moving, new)
        waiting = stack.post("/bookings", {"proId": pro["id"], "categoryId": "plomberie", "timeSlot": new},
                             token=rival["token"]).json()["id"]
        # When the pro accepts the move and confirms the rival's request for that hour at once
        accept, confirm = in_parallel([
            lambda: stack.post(f"/bookings/{moving}/reschedule/accept", token=pro["token"]),
            lambda: stack.post(f"/bookings/{waiting}/confirm", token=pro["token"])])
        # Then exactly one of them has the hour, the other a clean 409
        assert sorted([accept.status_code, confirm.status_code]) == [200, 409], (accept.text, confirm.text)
        assert error_codes([accept, confirm]) <= {"SLOT_TAKEN", "INVALID_TRANSITION"}
        stack.wait_for_follow_ups()
        if accept.status_code == 200:
            assert status(stack, moving)["time_slot"].startswith(new[:13])
            assert status(stack, waiting)["status"] == "DECLINED"
        else:
            assert status(stack, moving)["time_slot"].startswith(old[:13])
            assert status(stack, waiting)["status"] == "CONFIRMED"
        consistent(stack)


def test_accept_against_a_cancel_of_the_same_booking(booking_stack):
    stack = booking_stack
    pro, client = stack.pro(), stack.account("CLIENT")
    for round_ in range(ROUNDS):
        old, new = slot(6, 8 + round_), slot(7, 8 + round_)
        booking_id = confirmed(stack, client, pro, old)
        propose(stack, client, booking_id, new)
        # When the pro accepts while the client cancels
        accept, cancel = in_parallel([
            lambda: stack.post(f"/bookings/{booking_id}/reschedule/accept", token=pro["token"]),
            lambda: stack.post(f"/bookings/{booking_id}/cancel", token=client["token"])])
        # Then the cancel always wins in the end (before the move, or of the moved booking)
        assert cancel.status_code == 200, cancel.text
        assert accept.status_code in (200, 409), accept.text
        assert status(stack, booking_id)["status"].startswith("CANCELLED_BY_CLIENT")
        # and no lock of the pro is left for it, at either hour
        assert not [lock for lock in stack.items(f"USER#{pro['id']}", "LOCK#") if lock["booking_id"] == booking_id]
        consistent(stack)


def test_two_accepts_at_once(booking_stack):
    stack = booking_stack
    pro, first, second = stack.pro(), stack.account("CLIENT"), stack.account("CLIENT")
    for round_ in range(ROUNDS):
        # the same accept sent twice (a double tap): one move
        booking_id = confirmed(stack, first, pro, slot(8, 8 + round_))
        propose(stack, pro, booking_id, slot(8, 12 + round_))
        replies = in_parallel([lambda: stack.post(f"/bookings/{booking_id}/reschedule/accept",
                                                  token=first["token"])] * 2)
        assert sorted(r.status_code for r in replies) == [200, 409], [r.text for r in replies]
        assert error_codes(replies) == {"INVALID_TRANSITION"}
        events = stack.items(f"BOOKING#{booking_id}", "EVENT#")
        assert [e["type"] for e in events].count("RESCHEDULED") == 1
        # two bookings moved to the same new hour at once: one gets it
        target = slot(9, 16 + round_)
        a = confirmed(stack, first, pro, slot(9, 8 + round_))
        b = confirmed(stack, second, pro, slot(9, 11 + round_))
        propose(stack, pro, a, target)
        propose(stack, pro, b, target)
        replies = in_parallel([lambda: stack.post(f"/bookings/{a}/reschedule/accept", token=first["token"]),
                               lambda: stack.post(f"/bookings/{b}/reschedule/accept", token=second["token"])])
        assert sorted(r.status_code for r in replies) == [200, 409], [r.text for r in replies]
        assert error_codes(replies) == {"SLOT_TAKEN"}
        consistent(stack)


def test_two_reminder_runs_at_once_send_each_reminder_once(booking_stack):
    stack = booking_stack
    time_slot = slot(2, 10)
    bookings = [confirmed(stack, stack.account("CLIENT"), stack.pro(), time_slot) for _ in range(3)]
    # Given the clock 10 minutes after the 24 h reminders' time
    due = datetime.fromisoformat(time_slot) - timedelta(hours=24)
    assert stack.post("/_dev/clock", {"now": (due + timedelta(minutes=10)).isoformat()}).status_code == 200
    try:
        # When two runs of the job start at once
        runs = in_parallel([lambda: stack.post("/_dev/jobs/send-reminders")] * 2)
    finally:
        stack.call("DELETE", "/_dev/clock")
    # Then the reminders went out once: one run sent each, the other lost the claim
    summaries = [r.json()["summary"] for r in runs]
    assert sum(s["sent"] for s in summaries) == 3 and sum(s["skipped"] for s in summaries) == 0, summaries
    items = Store(stack.endpoint).items()
    sent = Counter((m["booking_id"], m["recipient_id"]) for m in items
                   if m["SK"].startswith("NOTIF#") and m.get("type") == "BOOKING_REMINDER")
    assert sorted(booking for booking, _ in sent) == sorted(bookings * 2) and set(sent.values()) == {1}
    consistent(stack)


def test_the_calendar_feed_over_http_parses_back(booking_stack):
    from urllib.parse import parse_qs, urlsplit

    from icalendar import Calendar

    stack = booking_stack
    pro, client = stack.pro(), stack.account("CLIENT")
    booking_id = confirmed(stack, client, pro, slot(3, 9))
    url = stack.post("/pro/calendar/token", token=pro["token"]).json()["url"]
    token = parse_qs(urlsplit(url).query)["token"][0]
    assert url.startswith(stack.url)
    reply = stack.get(f"/pro/calendar.ics?token={token}")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(reply.text).walk("VEVENT")
    assert str(event["uid"]) == f"{booking_id}@khadamat.ma" and str(event["summary"]).startswith("Khadamat · ")
    assert stack.get(f"/pro/calendar.ics?token={token}x").status_code == 404
