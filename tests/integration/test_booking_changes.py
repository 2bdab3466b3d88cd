"""Booking changes (SPEC §19): reschedule, reminders, calendar feed — through the real handlers,
in-process under moto. World: NOW 2026-12-01 08:00 UTC, SLOT 2026-12-02 10:00 (26 h ahead)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from infra.bench.counting import counting
from khadamat.dal.bookings import BookingItem, booking_pk
from khadamat.domain.timeutil import parse_timestamp
from tests.integration.booking_helpers import (BASE, SLOT, act, at, world,  # noqa: F401 (fixture)
                                               book, code, run_follow_ups, set_clock,
                                               signup_and_login, notification_items, table_items)

NEW_SLOT = at(50)  # 2026-12-03 10:00


def confirmed(api, client, pro, slot=SLOT, duration="H1") -> str:
    reply = book(api, client, pro, slot)
    assert reply.status == 201, reply.body
    booking_id = reply.body["id"]
    answer = act(api, pro, booking_id, "confirm", {"estimatedDuration": duration})
    assert answer.status == 200, answer.body
    run_follow_ups()
    return booking_id


def propose(api, who, booking_id, slot=NEW_SLOT):
    return api.post(f"/bookings/{booking_id}/reschedule", {"timeSlot": slot}, token=who.token)


def stored(booking_id: str) -> BookingItem:
    return BookingItem.get(booking_pk(booking_id), "BOOKING")


def locks(pro) -> dict[str, str]:
    return {item["SK"]: item["booking_id"] for item in table_items(f"USER#{pro.id}") if item["SK"].startswith("LOCK#")}


def lock_sk(slot: str, hours: int = 0) -> str:
    moment = parse_timestamp(slot) + timedelta(hours=hours)
    return f"LOCK#{moment.strftime('%Y-%m-%dT%H:%M:%S.000000Z')}"


def messages(type_: str) -> list[dict]:
    return [m for m in notification_items() if m["type"] == type_]


# ---------------------------------------------------------------- propose
def test_either_party_proposes_once_and_the_booking_shows_the_open_proposal(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    # When the client proposes another hour
    reply = propose(api, client, booking_id)
    # Then 201 with the proposal, lapsing 12 h later (before both slots)
    assert reply.status == 201, reply.body
    assert set(reply.body) == {"proposalId", "timeSlot", "proposedBy", "expiresAt"}
    assert reply.body["proposedBy"] == "CLIENT" and reply.body["timeSlot"] == "2026-12-03T10:00:00+00:00"
    lapse = parse_timestamp(reply.body["expiresAt"]) - (BASE + timedelta(hours=12))  # the clock runs on
    assert timedelta(0) <= lapse < timedelta(minutes=5)
    # and both parties see it on the booking, which has not moved
    for who in (client, pro):
        booking = api.get(f"/bookings/{booking_id}", token=who.token).body
        assert booking["proposal"] == reply.body and booking["timeSlot"] == "2026-12-02T10:00:00+00:00"
    # and the pro is told (WhatsApp, push, inbox), without a phone
    [message] = messages("BOOKING_RESCHEDULE_PROPOSED")
    assert message["recipient_id"] == pro.id and "03/12/2026 à 10h00" in message["body"]
    assert "+212" not in message["body"]
    # and a second proposal, by either party, waits for the first to be answered
    assert code(propose(api, pro, booking_id, at(51))) == "PROPOSAL_PENDING"


def test_a_proposal_follows_the_slot_rules(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    assert code(propose(api, client, booking_id, "2026-12-03T10:30:00+00:00")) == "SLOT_NOT_ALIGNED"
    assert code(propose(api, client, booking_id, at(-1))) == "SLOT_IN_PAST"
    # an hour the pro is held by another confirmed booking
    confirmed(api, signup_and_login(api, "CLIENT"), pro, NEW_SLOT)
    assert code(propose(api, client, booking_id, NEW_SLOT)) == "SLOT_UNAVAILABLE"
    # an hour outside the pro's weekly hours
    from tests.integration.booking_helpers import set_pro_offer
    set_pro_offer(pro.id, hours=[{"dayOfWeek": d, "startMin": 480, "endMin": 1080} for d in range(7)])
    assert code(propose(api, client, booking_id, "2026-12-03T20:00:00+00:00")) == "SLOT_UNAVAILABLE"
    # a PENDING booking is not rescheduled (it is declined or cancelled instead)
    pending = book(api, client, pro, at(74)).body["id"]
    assert code(propose(api, client, pending, at(75))) == "INVALID_TRANSITION"
    assert not messages("BOOKING_RESCHEDULE_PROPOSED")


def test_no_proposal_once_the_booking_has_started(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    set_clock(api, SLOT, client, pro)
    assert code(propose(api, client, booking_id)) == "INVALID_TRANSITION"


# ---------------------------------------------------------------- accept
def test_accepting_moves_the_booking_its_locks_and_its_reminder_in_one_write(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro, duration="H2")
    assert locks(pro) == {lock_sk(SLOT): booking_id, lock_sk(SLOT, 1): booking_id}
    proposal = propose(api, pro, booking_id).body
    # The author cannot accept its own proposal
    reply = api.post(f"/bookings/{booking_id}/reschedule/accept", token=pro.token)
    assert reply.status == 403 and code(reply) == "FORBIDDEN"
    # When the client accepts
    reply = api.post(f"/bookings/{booking_id}/reschedule/accept", token=client.token)
    # Then the booking is at the new hour, still CONFIRMED, without a proposal
    assert reply.status == 200, reply.body
    assert reply.body["timeSlot"] == "2026-12-03T10:00:00+00:00" and reply.body["status"] == "CONFIRMED"
    assert reply.body["proposal"] is None and reply.body["pro"]["phone"]
    assert reply.body == api.get(f"/bookings/{booking_id}", token=client.token).body
    # and the pro holds the two new hours, not the old ones
    assert locks(pro) == {lock_sk(NEW_SLOT): booking_id, lock_sk(NEW_SLOT, 1): booking_id}
    # and the event tells the old and the new slots
    events = api.get(f"/bookings/{booking_id}/events", token=client.token).body["items"]
    moved = events[-1]
    assert (moved["type"], moved["actorRole"]) == ("RESCHEDULED", "CLIENT")
    assert moved["metadata"]["fromTimeSlot"] == "2026-12-02T10:00:00+00:00"
    assert moved["metadata"]["toTimeSlot"] == "2026-12-03T10:00:00+00:00"
    assert moved["metadata"]["proposalId"] == proposal["proposalId"] and len(moved["metadata"]["toSlots"]) == 2
    # and both parties get the new time in writing
    assert sorted(m["recipient_id"] for m in messages("BOOKING_RESCHEDULED")) == sorted([client.id, pro.id])
    assert all("03/12/2026 à 10h00" in m["body"] for m in messages("BOOKING_RESCHEDULED"))
    # and the next reminder is the new slot's 24 h one
    item = stored(booking_id)
    assert item.GSI4SK.startswith("2026-12-02T10:00:00") and item.reminder_kind == "H24"
    # and the duplicate guard moved with it: the client may book the old hour again
    assert book(api, client, pro, SLOT).status == 201
    # and accepting again finds no proposal
    assert code(api.post(f"/bookings/{booking_id}/reschedule/accept", token=client.token)) == "INVALID_TRANSITION"


def test_accepting_an_hour_taken_meanwhile_is_slot_taken_and_changes_nothing(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    propose(api, client, booking_id)
    # Given another client's request for the new hour is confirmed meanwhile
    rival = confirmed(api, signup_and_login(api, "CLIENT"), pro, NEW_SLOT)
    before = stored(booking_id).serialize()
    # When the pro accepts
    reply = api.post(f"/bookings/{booking_id}/reschedule/accept", token=pro.token)
    # Then 409 SLOT_TAKEN, and the booking, its locks and the rival's are as they were
    assert reply.status == 409 and code(reply) == "SLOT_TAKEN"
    assert stored(booking_id).serialize() == before
    assert locks(pro) == {lock_sk(SLOT): booking_id, lock_sk(NEW_SLOT): rival}
    assert not messages("BOOKING_RESCHEDULED")


def test_accepting_declines_the_pros_pending_requests_in_the_new_hours(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    propose(api, client, booking_id)
    waiting = book(api, signup_and_login(api, "CLIENT"), pro, NEW_SLOT).body["id"]
    assert api.post(f"/bookings/{booking_id}/reschedule/accept", token=pro.token).status == 200
    # the confirm's follow-up mechanism: a task written with the move, run from the stream
    tasks, _ = run_follow_ups()
    assert len(tasks) == 1
    declined = stored(waiting)
    assert (declined.status, declined.cancel_reason) == ("DECLINED", "SLOT_TAKEN")


def test_late_cancel_rules_then_apply_to_the_new_slot(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    propose(api, client, booking_id)
    api.post(f"/bookings/{booking_id}/reschedule/accept", token=pro.token)
    # 10 h before the old slot, 34 h before the new one: a free cancel
    set_clock(api, at(16), client, pro)
    reply = act(api, client, booking_id, "cancel")
    assert reply.status == 200 and reply.body["status"] == "CANCELLED_BY_CLIENT"
    # and the cancel released the new hour's lock (the old one was released by the move)
    assert locks(pro) == {}
    assert stored(booking_id).GSI4PK is None


def test_a_cancel_that_read_the_old_hour_cannot_release_it_after_a_move(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    stale = stored(booking_id)
    propose(api, client, booking_id)
    api.post(f"/bookings/{booking_id}/reschedule/accept", token=pro.token)
    # A transition built from the booking read before the move fails its condition (the hour)
    from khadamat.dal import bookings as store
    tx = store.BookingTx()
    tx.change_booking(store.BookingChange(stale, "CANCELLED_BY_CLIENT", {}, BASE, "CONFIRMED"), "booking")
    with pytest.raises(store.TxFailed) as failure:
        tx.commit()
    assert failure.value.failed == {"booking"}


# ---------------------------------------------------------------- decline, lapse
def test_declining_keeps_the_booking_and_tells_the_author(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    propose(api, client, booking_id)
    reply = api.post(f"/bookings/{booking_id}/reschedule/decline", token=pro.token)
    assert reply.status == 200 and reply.body["proposal"] is None
    assert reply.body["timeSlot"] == "2026-12-02T10:00:00+00:00" and locks(pro) == {lock_sk(SLOT): booking_id}
    [message] = messages("BOOKING_RESCHEDULE_DECLINED")
    assert message["recipient_id"] == client.id
    # a new proposal may follow; its author may withdraw it (the other party is told)
    assert propose(api, pro, booking_id).status == 201
    assert api.post(f"/bookings/{booking_id}/reschedule/decline", token=pro.token).status == 200
    [message] = messages("BOOKING_RESCHEDULE_WITHDRAWN")
    assert message["recipient_id"] == client.id
    assert code(api.post(f"/bookings/{booking_id}/reschedule/decline", token=pro.token)) == "INVALID_TRANSITION"


def test_a_lapsed_proposal_is_gone(api, world):
    client, pro = world["client"], world["pro"]
    booking_id = confirmed(api, client, pro)
    propose(api, client, booking_id)
    set_clock(api, at(12.2), client, pro)
    assert api.get(f"/bookings/{booking_id}", token=pro.token).body["proposal"] is None
    assert code(api.post(f"/bookings/{booking_id}/reschedule/accept", token=pro.token)) == "INVALID_TRANSITION"
    assert propose(api, pro, booking_id).status == 201


# ---------------------------------------------------------------- reminders
def run_reminders(api) -> dict:
    reply = api.post("/_dev/jobs/send-reminders")
    assert reply.status == 200, reply.body
    return reply.body["summary"]


def reminders() -> list[tuple[str, str]]:
    return sorted((m["recipient_id"], m["body"].split(" a lieu ")[1].split(",")[0])
                  for m in messages("BOOKING_REMINDER"))


def test_each_reminder_goes_once_to_both_parties_at_24_and_2_hours(api, world):
    client, pro = world["client"], world["pro"]
    confirmed(api, client, pro)
    assert run_reminders(api) == {"sent": 0, "skipped": 0, "raced": 0}  # nothing due yet
    set_clock(api, at(2.25))  # the 24 h reminder (due at +2 h)
    assert run_reminders(api) == {"sent": 1, "skipped": 0, "raced": 0}
    assert run_reminders(api)["sent"] == 0  # never twice
    assert reminders() == sorted([(client.id, "demain"), (pro.id, "demain")])
    [message] = [m for m in messages("BOOKING_REMINDER") if m["recipient_id"] == client.id]
    assert message["channels"] == ["WHATSAPP", "PUSH"] and "02/12/2026 à 10h00" in message["body"]
    set_clock(api, at(24.1))  # the 2 h one
    assert run_reminders(api)["sent"] == 1 and run_reminders(api)["sent"] == 0
    assert len(reminders()) == 4
    assert table_items("BOOKING#") and all("GSI4PK" not in b for b in table_items("BOOKING#"))


def test_a_reminder_passed_at_confirmation_or_missed_by_over_an_hour_is_not_sent(api, world):
    client, pro = world["client"], world["pro"]
    # confirmed 10 h ahead: only the 2 h reminder is planned
    soon = confirmed(api, client, pro, at(10))
    assert stored(soon).reminder_kind == "H2"
    # confirmed 26 h ahead, and the job did not run for 1 h 30 after the 24 h reminder's time
    later = confirmed(api, signup_and_login(api, "CLIENT"), pro)
    set_clock(api, at(3.5))
    assert run_reminders(api) == {"sent": 0, "skipped": 1, "raced": 0}
    assert stored(later).reminder_kind == "H2" and not messages("BOOKING_REMINDER")
    set_clock(api, at(8.2))  # the first booking's 2 h reminder, on time
    assert run_reminders(api)["sent"] == 1 and len(messages("BOOKING_REMINDER")) == 2


def test_no_reminder_for_a_cancelled_booking_and_a_reschedule_moves_it(api, world):
    client, pro = world["client"], world["pro"]
    cancelled = confirmed(api, client, pro)
    act(api, client, cancelled, "cancel")
    assert stored(cancelled).GSI4PK is None
    moved = confirmed(api, client, pro, at(30))
    propose(api, pro, moved, NEW_SLOT)
    api.post(f"/bookings/{moved}/reschedule/accept", token=client.token)
    set_clock(api, at(6.2))  # the old slot's 24 h reminder time: nothing
    assert run_reminders(api)["sent"] == 0
    set_clock(api, at(26.2))  # the new slot's
    assert run_reminders(api)["sent"] == 1
    assert {m["booking_id"] for m in messages("BOOKING_REMINDER")} == {moved}


def test_the_job_reads_only_what_is_due(api, world):
    client, pro = world["client"], world["pro"]
    for hours in (30, 40, 60, 80):
        confirmed(api, signup_and_login(api, "CLIENT"), pro, at(hours))
    set_clock(api, at(6.2))
    with counting() as tally:
        assert run_reminders(api)["sent"] == 1
    # one Query of the due reminders (one item) + one transaction; the local clock read aside
    assert tally.items_read <= 1 + 2 and tally.operations["Query"] == 1


# ---------------------------------------------------------------- calendar feed
def feed_token(api, pro) -> str:
    reply = api.post("/pro/calendar/token", token=pro.token)
    assert reply.status == 200, reply.body
    return parse_qs(urlsplit(reply.body["url"]).query)["token"][0]


def test_the_calendar_feed_lists_the_pros_confirmed_and_completed_bookings(api, world):
    from icalendar import Calendar

    client, pro = world["client"], world["pro"]
    kept = confirmed(api, client, pro, duration="H2")
    cancelled = confirmed(api, signup_and_login(api, "CLIENT"), pro, at(40))
    act(api, pro, cancelled, "cancel", {"reason": "malade"})
    book(api, signup_and_login(api, "CLIENT"), pro, at(45))  # PENDING: not in the feed
    confirmed(api, signup_and_login(api, "CLIENT"), pro, at(24 * 91))  # beyond 90 days
    done = confirmed(api, signup_and_login(api, "CLIENT"), pro, at(2))
    set_clock(api, at(3.5), client, pro)
    assert act(api, pro, done, "complete").status == 200
    token = feed_token(api, pro)
    reply = api.get(f"/pro/calendar.ics?token={token}")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(reply.body)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == sorted([f"{kept}@khadamat.ma", f"{done}@khadamat.ma"])
    event = events[f"{kept}@khadamat.ma"]
    assert event["dtstart"].dt == parse_timestamp(SLOT) and event["dtstart"].dt.utcoffset() == timedelta(0)
    assert event["dtend"].dt == parse_timestamp(SLOT) + timedelta(hours=2)
    assert str(event["summary"]) == "Khadamat · Plomberie · Prénom"
    assert "DTSTART:20261202T100000Z" in reply.body
    assert "+212" not in reply.body and client.phone[1:] not in reply.body and pro.phone[1:] not in reply.body
    # the UID stays when the booking moves: calendar apps move the event
    propose(api, client, kept)
    api.post(f"/bookings/{kept}/reschedule/accept", token=pro.token)
    events = {str(e["uid"]): e for e in
              Calendar.from_ical(api.get(f"/pro/calendar.ics?token={token}").body).walk("VEVENT")}
    assert events[f"{kept}@khadamat.ma"]["dtstart"].dt == parse_timestamp(NEW_SLOT)


def test_a_new_token_revokes_the_old_and_unknown_tokens_are_404(api, world):
    pro = world["pro"]
    old = feed_token(api, pro)
    new = feed_token(api, pro)
    assert api.get(f"/pro/calendar.ics?token={new}").status == 200
    for token in (old, "nope", f"{pro.id}.forged", ""):
        reply = api.get(f"/pro/calendar.ics?token={token}")
        assert reply.status == 404 and code(reply) == "NOT_FOUND"
    assert api.get("/pro/calendar.ics").status == 404
    # only the hash is stored
    [item] = [i for i in table_items(f"USER#{pro.id}") if i["SK"] == "CALENDAR_TOKEN"]
    assert new not in str(item) and new.split(".")[1] not in str(item)
