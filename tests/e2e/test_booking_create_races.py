"""Creates racing a confirm of the same pro hour, over HTTP (SPEC §6, docs/bookings.md).

The create transaction itself checks the hour's slot lock (no read of locks before it), so a
create either commits before the confirm (then the confirm's follow-up declines it, SLOT_TAKEN)
or is refused 409 SLOT_UNAVAILABLE; the store stays consistent either way.
"""

from __future__ import annotations

from tests.e2e.booking_support import booking_stack, in_parallel  # noqa: F401  (fixture)
from tests.e2e.invariants import Store, violations
from tests.e2e.test_booking_races import ROUNDS, create, slot


def test_creates_racing_a_confirm_of_the_hour_are_refused_or_declined(booking_stack):
    stack = booking_stack
    pro, first = stack.pro(), stack.account("CLIENT")
    others = [stack.account("CLIENT") for _ in range(5)]
    for round_ in range(ROUNDS):
        # Given a request for an hour of the pro
        time_slot = slot(6, 8 + round_)
        booking_id = create(stack, first, pro, time_slot).json()["id"]
        # When the pro confirms it while five other clients book that hour
        confirm = lambda: stack.post(f"/bookings/{booking_id}/confirm", token=pro["token"])  # noqa: E731
        replies = in_parallel([confirm] + [lambda c=c: create(stack, c, pro, time_slot) for c in others])
        # Then the confirm wins; every create is refused as unavailable or ends declined
        assert replies[0].status_code == 200, replies[0].text
        refused = [r for r in replies[1:] if r.status_code == 409]
        assert {r.json()["error"]["code"] for r in refused} <= {"SLOT_UNAVAILABLE"}
        stack.wait_for_follow_ups()  # the confirm's follow-up task declines the creates that won
        for reply in (r for r in replies[1:] if r.status_code != 409):
            assert reply.status_code == 201, reply.text
            [stored] = stack.items(f"BOOKING#{reply.json()['id']}", "BOOKING")
            assert (stored["status"], stored.get("cancel_reason")) == ("DECLINED", "SLOT_TAKEN")
        # and a create after the confirm is refused
        late = create(stack, others[0], pro, time_slot)
        assert late.status_code == 409 and late.json()["error"]["code"] == "SLOT_UNAVAILABLE"
    assert violations(Store(stack.endpoint).items()) == []
