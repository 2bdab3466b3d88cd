"""Retention (SPEC §15): TTLs on what DynamoDB can expire, the apply-retention job for the rest.

The job runs on the dev clock: bookings that never took place are erased 2 years after their
slot (their partition: the booking, its events), found through the sparse index
GSI3 BOOKING_RETENTION; COMPLETED bookings stay.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from khadamat.dal import bookings as booking_store
from khadamat.dal import notifications as notification_store
from khadamat.dal import privacy as store
from khadamat.domain.timeutil import from_storage, parse_timestamp
from infra.local.stream_pump import written_messages
from tests.conftest import TEMPLATE
from tests.integration.booking_helpers import (act, at, book, make_pro, set_clock, signup_and_login,
                                               table_items)
from tests.integration.test_notification_delivery import deliver

pytestmark = pytest.mark.usefixtures("aws")
DAY = 86_400


def _run(api) -> dict:
    reply = api.post("/_dev/jobs/apply-retention")
    assert reply.status == 200, reply.body
    return reply.body["summary"]


@pytest.fixture
def ended(api):
    """A declined and a completed booking, slot at(4) = 2026-12-01T12:00Z."""
    set_clock(api)
    client, pro = signup_and_login(api, "CLIENT"), make_pro(api)
    declined = book(api, client, pro, slot=at(4)).body["id"]
    assert act(api, pro, declined, "decline", {"reason": "indisponible"}).status == 200
    completed = book(api, client, pro, slot=at(4)).body["id"]
    assert act(api, pro, completed, "confirm").status == 200
    set_clock(api, at(5), client, pro)
    assert act(api, pro, completed, "complete").status == 200
    return {"client": client, "pro": pro, "declined": declined, "completed": completed}


def test_a_booking_that_never_took_place_is_due_two_years_after_its_slot(api, ended):
    declined = booking_store.get_booking(ended["declined"])
    assert (declined.GSI3PK, declined.GSI3SK) == (
        "BOOKING_RETENTION", f"2028-12-01T12:00:00.000000Z#{ended['declined']}")
    assert booking_store.get_booking(ended["completed"]).GSI3PK is None


def test_the_job_erases_due_bookings_only_once_and_keeps_completed_ones(api, ended):
    client = ended["client"]
    # a day before the due time: nothing
    set_clock(api, "2028-11-30T12:00:00+00:00", client)
    assert _run(api) == {"bookingsErased": 0, "more": False}
    assert api.get(f"/bookings/{ended['declined']}", token=client.token).status == 200
    # just after: the declined booking and its events are gone, the completed one stays
    set_clock(api, "2028-12-01T12:00:01+00:00", client)
    assert _run(api) == {"bookingsErased": 1, "more": False}
    assert table_items(f"BOOKING#{ended['declined']}") == []
    assert api.get(f"/bookings/{ended['declined']}", token=client.token).status == 404
    assert [b["id"] for b in api.get("/bookings", token=client.token).body["items"]] == [ended["completed"]]
    assert api.get(f"/bookings/{ended['completed']}/events", token=client.token).status == 200
    # idempotent: a second run finds nothing due
    assert _run(api) == {"bookingsErased": 0, "more": False}


def test_two_runs_at_once_erase_each_booking_once(api, ended):
    # Both runs read the due list before either erases (the race, made deterministic)
    now = parse_timestamp("2028-12-02T00:00:00+00:00")
    first, second = store.bookings_due_for_erasure(now, 10), store.bookings_due_for_erasure(now, 10)
    assert [b.booking_id for b in first] == [b.booking_id for b in second] == [ended["declined"]]
    erased = [store.erase_booking(b.booking_id) for b in first + second]
    assert erased == [True, False]
    assert table_items(f"BOOKING#{ended['declined']}") == []


def test_outbox_delivery_records_and_read_notifications_expire_by_ttl(api, ended):
    client = ended["client"]
    message = next(m for m in written_messages(TEMPLATE) if m.recipient_id == client.id)
    # the notification is the outbox message: 90 days after it was written (SPEC §15)
    assert message.ttl == int(from_storage(message.created_at).timestamp()) + 90 * DAY
    deliver(message)
    # its delivery record lives on it
    ref = notification_store.ref_of(message)
    assert notification_store.unit_state(ref, "WHATSAPP") == "SENT"
    set_clock(api, at(6), client)
    assert api.post(f"/me/notifications/{message.message_id}/read", token=client.token).status == 204
    # read: the text is kept 180 days from then, the delivery record (≤ 90 days) goes now
    read = notification_store.find_inbox_item(client.id, message.message_id)
    expected = int((parse_timestamp(at(6)) + timedelta(days=180)).timestamp())
    assert expected <= read.ttl <= expected + 5  # the local clock runs on from at(6)
    assert read.unit_names == [] and notification_store.unit_state(ref, "WHATSAPP") is None
