"""The booking flow over HTTP on the local stack (SPEC §6, §7, §11)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.e2e.booking_support import booking_stack  # noqa: F401  (fixture)
from tests.e2e.test_booking_races import create, slot


def test_create_confirm_cancel_frees_the_hour_again(booking_stack):
    stack = booking_stack
    client, pro = stack.account("CLIENT"), stack.pro()
    time_slot = slot(9, 10)
    # Given a request with an Idempotency-Key, sent twice
    key = {"Idempotency-Key": "flow-1"}
    body = {"proId": pro["id"], "categoryId": "plomberie", "timeSlot": time_slot}
    first = stack.post("/bookings", body, token=client["token"], headers=key)
    again = stack.post("/bookings", body, token=client["token"], headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    booking_id = first.json()["id"]
    # When the pro confirms for two hours, then the client cancels well ahead
    confirmed = stack.post(f"/bookings/{booking_id}/confirm", {"estimatedDuration": "H2"}, token=pro["token"])
    assert confirmed.status_code == 200 and confirmed.json()["pro"]["phone"]
    other = stack.account("CLIENT")
    assert create(stack, other, pro, time_slot).json()["error"]["code"] == "SLOT_UNAVAILABLE"
    cancelled = stack.post(f"/bookings/{booking_id}/cancel", {"reason": "imprévu"}, token=client["token"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED_BY_CLIENT"
    assert cancelled.json()["pro"]["phone"] is None
    # Then the events tell the story and the hour can be booked again
    events = stack.get(f"/bookings/{booking_id}/events", token=pro["token"]).json()["items"]
    assert [e["type"] for e in events] == ["CREATED", "CONFIRMED", "CANCELLED", "SLOTS_RELEASED"]
    assert create(stack, other, pro, time_slot).status_code == 201
    assert stack.post("/_dev/jobs/expire-bookings").json()["summary"] == {"expired": 0}
    assert stack.post("/_dev/jobs/release-orphan-locks").json()["summary"]["orphansReleased"] == 0


def test_expiry_through_the_dev_clock_and_job(booking_stack):
    stack = booking_stack
    client, pro = stack.account("CLIENT"), stack.pro()
    booking_id = create(stack, client, pro, slot(9, 12)).json()["id"]
    try:
        expires_at = stack.get(f"/bookings/{booking_id}", token=client["token"]).json()["expiresAt"]
        later = (datetime.fromisoformat(expires_at) + timedelta(minutes=1)).isoformat()
        assert stack.post("/_dev/clock", {"now": later}).status_code == 200
        assert stack.post("/_dev/jobs/expire-bookings").json()["summary"]["expired"] >= 1
    finally:
        stack.call("DELETE", "/_dev/clock")
    [booking] = stack.items(f"BOOKING#{booking_id}", "BOOKING")
    # out of the expiry index, into the retention index (SPEC §15: PII erased 2 years after the slot)
    assert booking["status"] == "EXPIRED" and booking.get("GSI3PK") == "BOOKING_RETENTION"
