"""Booking changes (SPEC §19): propose another hour, accept or decline it; the reminders job.

Each write is one TransactWriteItems (khadamat.dal.reschedule.RescheduleTx, a BookingTx): the
accept has the confirm's guarantees — the old hours' locks deleted only while still this
booking's, the new hours' locks put only if free (else 409 SLOT_TAKEN and nothing changes), the
booking moved under a condition on its status, hour and proposal, its RESCHEDULED event, the
outbox message, and the confirm's follow-up task declining the pro's PENDING requests in the
new hours. See docs/bookings.md "Reschedule".
"""

from __future__ import annotations

import uuid
from datetime import datetime

from khadamat.dal import bookings as store
from khadamat.dal import reschedule as changes
from khadamat.dal import tasks, users
from khadamat.domain import change_notices
from khadamat.domain.booking_rules import Actor, EventType, Status, held_hours
from khadamat.domain.errors import Conflict, Unprocessable
from khadamat.domain.reschedule import (Proposal, check_can_answer, check_can_propose, is_open,
                                        next_reminder, proposal_expires_at, reminder_is_stale)
from khadamat.domain.timeutil import parse_timestamp, to_local_iso, to_storage
from khadamat.observability import logger
from khadamat.usecases.booking_transitions import add_outbox_message, attempts, event_item, slot_start
from khadamat.usecases.booking_view import open_proposal_view, view_for, visible_booking


def _other_party(booking: store.BookingItem, actor: Actor) -> tuple[str, str]:
    """(user id, role) of the party who is not ``actor``."""
    return (booking.pro_id, "PRO") if actor == Actor.CLIENT else (booking.client_id, "CLIENT")


# ---------------------------------------------------------------- propose
def propose(*, caller: users.UserItem, booking: store.BookingRef, time_slot: str, now: datetime) -> dict:
    booking_id = booking.booking_id
    booking, actor = visible_booking(booking, caller)
    try:
        new_slot = parse_timestamp(time_slot)
    except ValueError:
        raise Unprocessable("timeSlot must be an ISO-8601 timestamp")
    for _ in attempts():
        check_can_propose(booking.status, actor, slot_start(booking), new_slot, now)
        if is_open(changes.proposal_of(booking), now):
            raise Conflict("a proposal is already waiting for an answer", "PROPOSAL_PENDING")
        hours = held_hours(new_slot, booking.estimated_duration)
        _require_open_hours(booking, caller, actor, hours, now)
        proposal = Proposal(str(uuid.uuid4()), new_slot, actor,
                            proposal_expires_at(now, slot_start(booking), new_slot))
        tx = changes.RescheduleTx()
        tx.propose(booking, proposal, now)
        tx.check_hours_free(booking.pro_id, hours, booking.booking_id)
        recipient_id, role = _other_party(booking, actor)
        add_outbox_message(tx, change_notices.reschedule_proposed(role, str(actor), booking.category_id,
                                                                  slot_start(booking), new_slot),
                           recipient_id, booking.booking_id, now)
        try:
            tx.commit()
        except store.TxFailed as failure:
            if "slot" in failure.failed and "booking" not in failure.failed:
                raise _slot_unavailable()
            booking = store.get_booking(booking_id)  # it moved, or another proposal came first
            continue
        return _proposal_answer(booking, proposal, now)


def _proposal_answer(booking: store.BookingItem, proposal: Proposal, now: datetime) -> dict:
    booking = store.BookingItem.from_raw_data(booking.serialize())
    booking.proposal_id, booking.proposal_by = proposal.proposal_id, str(proposal.proposed_by)
    booking.proposal_time_slot, booking.proposal_expires_at = map(
        to_storage, (proposal.time_slot, proposal.expires_at))
    return open_proposal_view(booking, now)


def _slot_unavailable() -> Conflict:
    return Conflict("this slot is not available", "SLOT_UNAVAILABLE")


def _require_open_hours(booking: store.BookingItem, caller: users.UserItem, actor: Actor,
                        hours: list[datetime], now: datetime) -> None:
    """The pro works every new hour (weekly hours, exceptions); the locks are the write's."""
    from khadamat.usecases import pros  # the pro's profile rules, only here (cold start)

    pro = caller if actor == Actor.PRO else users.get_user(booking.pro_id)
    if pro is None or not all(pros.is_slot_open_for(pro, hour, now) for hour in hours):
        raise _slot_unavailable()


# ---------------------------------------------------------------- accept, decline
def accept(*, caller: users.UserItem, booking: store.BookingRef, now: datetime) -> dict:
    booking_id = booking.booking_id
    booking, actor = visible_booking(booking, caller)
    for _ in attempts():
        proposal = check_can_answer(booking.status, changes.proposal_of(booking), actor, now, accepting=True)
        tx = changes.RescheduleTx()
        moved = _write_move(tx, booking, proposal, caller, actor, now)
        try:
            tx.commit()
        except store.TxFailed as failure:
            # the booking first: a double tap loses on both the proposal and the lock it just took
            if "booking" in failure.failed or not failure.failed:
                booking = store.get_booking(booking_id)  # cancelled, answered or moved meanwhile
                continue
            if "lock" in failure.failed:
                raise Conflict("one of these hours has been taken meanwhile", "SLOT_TAKEN")
            if "duplicate" in failure.failed:
                raise Conflict("the client already asked this pro for that hour", "DUPLICATE_BOOKING")
            booking = store.get_booking(booking_id)
            continue
        return view_for(caller, moved)


def _write_move(tx: changes.RescheduleTx, booking: store.BookingItem, proposal: Proposal,
                caller: users.UserItem, actor: Actor, now: datetime) -> store.BookingItem:
    old_hours = held_hours(slot_start(booking), booking.estimated_duration)
    new_hours = held_hours(proposal.time_slot, booking.estimated_duration)
    reminder = changes.reminder_keys(booking.booking_id, next_reminder(proposal.time_slot, now))
    moved = tx.move(booking, proposal, reminder, now)
    tx.release_owned_locks(booking.pro_id, [h for h in old_hours if h not in new_hours], booking.booking_id)
    tx.put_locks(booking.pro_id, [h for h in new_hours if h not in old_hours], booking.booking_id, now)
    tx.release_active(booking)
    tx.reserve_active(moved)
    tx.put(event_item(booking, EventType.RESCHEDULED, now, 0, caller, {
        "proposalId": proposal.proposal_id, "proposedBy": str(proposal.proposed_by),
        "fromTimeSlot": to_local_iso(slot_start(booking)), "toTimeSlot": to_local_iso(proposal.time_slot),
        "fromSlots": [to_local_iso(h) for h in old_hours], "toSlots": [to_local_iso(h) for h in new_hours]}))
    # as a confirm: the pro's PENDING requests in the new hours are declined just after (SLOT_TAKEN)
    tx.put(tasks.new_decline_overlapping_task(pro_id=booking.pro_id, hours=new_hours,
                                              confirmed_booking_id=booking.booking_id, now=now), "task")
    # the new time is a change of a confirmed appointment: both parties get it in writing
    for recipient_id, role in ((booking.client_id, "CLIENT"), (booking.pro_id, "PRO")):
        add_outbox_message(tx, change_notices.rescheduled(role, booking.category_id, slot_start(booking),
                                                          proposal.time_slot),
                           recipient_id, booking.booking_id, now)
    return moved


def decline(*, caller: users.UserItem, booking: store.BookingRef, now: datetime) -> dict:
    """The other party's refusal, or the author's withdrawal: the booking stays as it is."""
    booking_id = booking.booking_id
    booking, actor = visible_booking(booking, caller)
    for _ in attempts():
        proposal = check_can_answer(booking.status, changes.proposal_of(booking), actor, now, accepting=False)
        tx = changes.RescheduleTx()
        after = tx.drop_proposal(booking, proposal, now)
        recipient_id, role = _other_party(booking, actor)
        add_outbox_message(tx, change_notices.reschedule_dropped(
            role, proposal.proposed_by == actor, booking.category_id, slot_start(booking), proposal.time_slot),
            recipient_id, booking.booking_id, now)
        try:
            tx.commit()
        except store.TxFailed:
            booking = store.get_booking(booking_id)
            continue
        return view_for(caller, after)


# ---------------------------------------------------------------- reminders (send-reminders job)
def send_due_reminders(now: datetime) -> dict:
    """Every reminder due now, once: each is claimed by moving the booking's index entry to its
    next reminder in the same transaction as the messages (a second run at once loses the
    condition and sends nothing). One Query of what is due; no other read."""
    summary = {"sent": 0, "skipped": 0, "raced": 0}
    for booking in changes.due_reminders(now):
        try:
            summary[_send_reminder(booking, now)] += 1
        except Exception:  # noqa: BLE001 - one failing write never holds back the others
            logger.exception("reminder failed", extra={"bookingId": booking.booking_id})
            summary["failed"] = summary.get("failed", 0) + 1  # still due: the next run tries again
    return summary


def _send_reminder(booking: store.BookingItem, now: datetime) -> str:
    due = changes.reminder_due_at(booking)
    stale = booking.status != Status.CONFIRMED or reminder_is_stale(due, now)
    tx = changes.RescheduleTx()
    tx.advance_reminder(booking, changes.reminder_keys(booking.booking_id,
                                                       next_reminder(slot_start(booking), due)))
    if not stale:
        for recipient_id, role in ((booking.client_id, "CLIENT"), (booking.pro_id, "PRO")):
            add_outbox_message(tx, change_notices.reminder(role, booking.reminder_kind, booking.category_id,
                                                           slot_start(booking)),
                               recipient_id, booking.booking_id, now)
    try:
        tx.commit()
    except store.TxFailed as failure:
        if failure.failed or failure.retryable:
            return "raced"  # another run sent it, or the booking moved: nothing to send now
        raise
    if stale:
        logger.info("reminder skipped", extra={"bookingId": booking.booking_id, "dueAt": str(due)})
    return "skipped" if stale else "sent"
