"""Races against the running local stack (SPEC §6): DynamoDB conditions decide, never Python.

Each race is repeated several rounds; afterwards the invariants are read from the store:
at most one lock per pro hour, each lock's booking CONFIRMED, counters equal to the truth.
The pro's overlapping PENDING requests are declined by the confirm's follow-up task, run by
the stream (locally the pump) just after: the tests wait for it (bounded) before reading.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.booking_support import booking_stack, in_parallel  # noqa: F401  (fixture)

ROUNDS = 3
CLEAN_LOSS = {"SLOT_TAKEN", "INVALID_TRANSITION"}


def slot(days: int, hour: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return day.isoformat()


def create(stack, client, pro, time_slot, category="plomberie"):
    return stack.post("/bookings", {"proId": pro["id"], "categoryId": category, "timeSlot": time_slot},
                      token=client["token"])


def assert_locks_consistent(stack, pro) -> None:
    locks = stack.items(f"USER#{pro['id']}", "LOCK#")
    assert len({lock["SK"] for lock in locks}) == len(locks)
    for lock in locks:
        [booking] = stack.items(f"BOOKING#{lock['booking_id']}", "BOOKING")
        assert booking["status"] == "CONFIRMED"


def pending_counter(stack, client) -> set[str]:
    [group] = stack.items(f"USER#{client['id']}", "PENDING#casablanca#plomberie") or [{}]
    return set(group.get("pending_ids") or ())


def test_ten_concurrent_confirms_of_one_pro_hour_make_exactly_one_winner(booking_stack):
    stack = booking_stack
    pro = stack.pro()
    clients = [stack.account("CLIENT") for _ in range(10)]
    for round_ in range(ROUNDS):
        # Given 10 clients asked the same pro for the same hour
        time_slot = slot(3, 8 + round_)
        ids = [create(stack, client, pro, time_slot).json()["id"] for client in clients]
        # When the pro confirms all ten at once
        replies = in_parallel([lambda i=i: stack.post(f"/bookings/{i}/confirm", token=pro["token"])
                               for i in ids])
        # Then exactly one is confirmed and every other answer is a clean 409
        assert sorted(r.status_code for r in replies) == [200] + [409] * 9, [r.text for r in replies]
        assert {r.json()["error"]["code"] for r in replies if r.status_code == 409} <= CLEAN_LOSS
        # and once the winner's follow-up has run, the nine others are declined SLOT_TAKEN
        stack.wait_for_follow_ups()
        statuses = [stack.items(f"BOOKING#{i}", "BOOKING")[0] for i in ids]
        assert sorted(b["status"] for b in statuses) == ["CONFIRMED"] + ["DECLINED"] * 9
        assert {b.get("cancel_reason") for b in statuses if b["status"] == "DECLINED"} == {"SLOT_TAKEN"}
        assert_locks_consistent(stack, pro)
        assert len(stack.items(f"USER#{pro['id']}", "LOCK#")) == round_ + 1
    for client in clients:
        assert pending_counter(stack, client) == set()


def test_three_pros_confirming_one_clients_three_requests_at_once_make_one_booking(booking_stack):
    stack = booking_stack
    client = stack.account("CLIENT")
    pros = [stack.pro() for _ in range(3)]
    for round_ in range(ROUNDS):
        time_slot = slot(4, 8 + round_)
        ids = [create(stack, client, pro, time_slot).json()["id"] for pro in pros]
        replies = in_parallel([lambda p=p, i=i: stack.post(f"/bookings/{i}/confirm", token=p["token"])
                               for p, i in zip(pros, ids)])
        assert sorted(r.status_code for r in replies) == [200, 409, 409], [r.text for r in replies]
        assert {r.json()["error"]["code"] for r in replies if r.status_code == 409} <= CLEAN_LOSS
        statuses = sorted(stack.items(f"BOOKING#{i}", "BOOKING")[0]["status"] for i in ids)
        assert statuses == ["CANCELLED_AUTO_FIRST_CONFIRMED"] * 2 + ["CONFIRMED"]
        assert pending_counter(stack, client) == set()
        for pro in pros:
            assert_locks_consistent(stack, pro)


def test_twenty_concurrent_creates_by_one_client_leave_exactly_three_pending(booking_stack):
    stack = booking_stack
    client, pro = stack.account("CLIENT"), stack.pro()
    for round_ in range(ROUNDS):
        slots = [slot(5 + round_, hour) for hour in range(2, 22)]
        replies = in_parallel([lambda s=s: create(stack, client, pro, s) for s in slots])
        assert sorted(r.status_code for r in replies) == [201] * 3 + [409] * 17, [r.text for r in replies]
        assert {r.json()["error"]["code"] for r in replies if r.status_code == 409} == {"PENDING_LIMIT_REACHED"}
        created = {r.json()["id"] for r in replies if r.status_code == 201}
        pending = {b["id"] for b in stack.get("/bookings?status=PENDING", token=client["token"]).json()["items"]}
        assert pending == created == pending_counter(stack, client)
        for booking_id in created:  # free the group for the next round
            assert stack.post(f"/bookings/{booking_id}/cancel", token=client["token"]).status_code == 200
        assert pending_counter(stack, client) == set()


def test_two_expiry_jobs_at_once_expire_each_due_booking_once(booking_stack):
    stack = booking_stack
    client, pro = stack.account("CLIENT"), stack.pro()
    ids = [create(stack, client, pro, slot(8, hour)).json()["id"] for hour in (9, 10, 11)]
    for round_ in range(ROUNDS):
        try:
            later = (datetime.now(UTC) + timedelta(hours=13 + round_)).isoformat()
            assert stack.post("/_dev/clock", {"now": later}).status_code == 200
            replies = in_parallel([lambda: stack.post("/_dev/jobs/expire-bookings")] * 2)
        finally:
            stack.call("DELETE", "/_dev/clock")
        total = sum(r.json()["summary"]["expired"] for r in replies)
        assert total >= 3 if round_ == 0 else total == 0  # each booking: one EXPIRED event, below
    for booking_id in ids:
        events = [e["type"] for e in stack.get(f"/bookings/{booking_id}/events", token=client["token"]).json()["items"]]
        assert events == ["CREATED", "EXPIRED"]
    assert pending_counter(stack, client) == set()


def test_an_h3_confirm_and_an_h1_confirm_overlapping_at_once_hold_each_hour_once(booking_stack):
    stack = booking_stack
    pro = stack.pro()
    early, late = stack.account("CLIENT"), stack.account("CLIENT")
    for round_ in range(ROUNDS):
        # Given requests at 09:00 and 11:00; confirming the first for 3 hours holds 09, 10 and 11
        nine, eleven = slot(9 + round_, 9), slot(9 + round_, 11)
        long_id = create(stack, early, pro, nine).json()["id"]
        short_id = create(stack, late, pro, eleven).json()["id"]
        # When the pro confirms the 09:00 one as H3 and the 11:00 one as H1 at once
        replies = in_parallel([
            lambda: stack.post(f"/bookings/{long_id}/confirm", {"estimatedDuration": "H3"}, token=pro["token"]),
            lambda: stack.post(f"/bookings/{short_id}/confirm", token=pro["token"]),
        ])
        # Then exactly one wins, the other gets a clean 409, and no hour is held twice
        assert sorted(r.status_code for r in replies) == [200, 409], [r.text for r in replies]
        assert {r.json()["error"]["code"] for r in replies if r.status_code == 409} <= CLEAN_LOSS
        long_won = replies[0].status_code == 200
        stack.wait_for_follow_ups()
        [long_booking] = stack.items(f"BOOKING#{long_id}", "BOOKING")
        [short_booking] = stack.items(f"BOOKING#{short_id}", "BOOKING")
        if long_won:  # 11:00 is one of its hours: the H1 request is declined for it
            assert (long_booking["status"], short_booking["status"]) == ("CONFIRMED", "DECLINED")
            assert short_booking.get("cancel_reason") == "SLOT_TAKEN"
        else:  # 09:00 and 10:00 stay free, so the H3 request stays PENDING
            assert (long_booking["status"], short_booking["status"]) == ("PENDING", "CONFIRMED")
            assert stack.post(f"/bookings/{long_id}/decline", token=pro["token"]).status_code == 200
        assert_locks_consistent(stack, pro)
        held = {lock["booking_id"] for lock in stack.items(f"USER#{pro['id']}", "LOCK#")
                if lock["SK"].startswith("LOCK#" + nine[:10])}
        assert held == {long_id if long_won else short_id}
    assert pending_counter(stack, early) == pending_counter(stack, late) == set()
