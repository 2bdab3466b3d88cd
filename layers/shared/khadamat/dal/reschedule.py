"""Booking changes (SPEC §19): the reschedule proposal, the move, and the reminder index.

Keys (docs/architecture.md, docs/bookings.md): all on the booking item BOOKING#<id> / BOOKING.
  proposal_id, proposal_time_slot, proposal_by, proposal_expires_at   the open proposal, if any
      (a proposal past its expiry counts as absent; the next one overwrites it)
  GSI4: REMINDERS_DUE / <dueAt>#<id>, with reminder_kind (H24 | H2)   the booking's next reminder,
      only while CONFIRMED with a reminder ahead (sparse): set by the confirm, moved by an
      accepted reschedule and by the send-reminders job, removed by every move out of CONFIRMED
      (BookingTx.change_booking).

The booking item is used rather than items of their own: the proposal is shown by GET
/bookings/{id} (already read), and the reminder index entry costs one index write at the
confirm instead of a second item.
"""

from __future__ import annotations

from datetime import datetime

from khadamat.dal.availability import SlotLockItem, lock_key
from khadamat.dal.bookings import BookingItem, BookingTx
from khadamat.domain.booking_rules import Actor
from khadamat.domain.reschedule import Proposal
from khadamat.domain.timeutil import from_storage, to_storage

REMINDERS_DUE = "REMINDERS_DUE"


def proposal_of(booking: BookingItem) -> Proposal | None:
    """The proposal stored on the booking (open or not: see domain.reschedule.is_open)."""
    if not booking.proposal_id:
        return None
    return Proposal(booking.proposal_id, from_storage(booking.proposal_time_slot),
                    Actor(booking.proposal_by), from_storage(booking.proposal_expires_at))


def reminder_keys(booking_id: str, reminder: tuple[str, datetime] | None) -> dict:
    """The booking's fields putting it in the reminder index at its next reminder (none: {})."""
    if reminder is None:
        return {}
    kind, due = reminder
    return {"GSI4PK": REMINDERS_DUE, "GSI4SK": f"{to_storage(due)}#{booking_id}", "reminder_kind": kind}


def reminder_due_at(booking: BookingItem) -> datetime:
    return from_storage(booking.GSI4SK.split("#", 1)[0])


def due_reminders(now: datetime) -> list[BookingItem]:
    """Bookings whose next reminder is due (≤ now), oldest first: a Query of the sparse index
    (its items are the bookings themselves: nothing more to read)."""
    return list(BookingItem.by_reminder_due.query(REMINDERS_DUE, BookingItem.GSI4SK <= f"{to_storage(now)}#~"))


def _slot_unchanged(booking: BookingItem):
    return (BookingItem.status == "CONFIRMED") & (BookingItem.time_slot == booking.time_slot)


class RescheduleTx(BookingTx):
    """BookingTx's items (locks, guards, events, outbox) plus the writes of SPEC §19."""

    def propose(self, booking: BookingItem, proposal: Proposal, now: datetime) -> None:
        """Stores the proposal, if the booking is still CONFIRMED at that hour with no open one."""
        no_open_one = (BookingItem.proposal_id.does_not_exist()
                       | (BookingItem.proposal_expires_at <= to_storage(now)))
        self._tx.update(booking, actions=[
            BookingItem.proposal_id.set(proposal.proposal_id),
            BookingItem.proposal_time_slot.set(to_storage(proposal.time_slot)),
            BookingItem.proposal_by.set(str(proposal.proposed_by)),
            BookingItem.proposal_expires_at.set(to_storage(proposal.expires_at))],
            condition=_slot_unchanged(booking) & no_open_one)
        self._add("update", "booking")

    def check_hours_free(self, pro_id: str, hours: list[datetime], booking_id: str) -> None:
        """Each hour holds no lock but this booking's (its own hours may overlap the new ones)."""
        for hour in hours:
            self._tx.condition_check(SlotLockItem, *lock_key(pro_id, hour),
                                     condition=SlotLockItem.PK.does_not_exist()
                                     | (SlotLockItem.booking_id == booking_id))
            self._add("check", "slot")

    def move(self, booking: BookingItem, proposal: Proposal, reminder: dict, now: datetime) -> BookingItem:
        """The booking at the proposal's hour, the proposal gone; conditional on the proposal
        read (its id is the booking's version here) and on the booking's status and hour."""
        new_slot = to_storage(proposal.time_slot)
        moved = BookingItem.from_raw_data(booking.serialize())
        moved.time_slot, moved.updated_at = new_slot, to_storage(now)
        moved.GSI1SK = moved.GSI2SK = f"{new_slot}#{booking.booking_id}"
        moved.proposal_id = moved.proposal_time_slot = moved.proposal_by = moved.proposal_expires_at = None
        moved.GSI4PK = moved.GSI4SK = moved.reminder_kind = None
        for name, value in reminder.items():
            setattr(moved, name, value)
        actions = [BookingItem.time_slot.set(new_slot), BookingItem.updated_at.set(moved.updated_at),
                   BookingItem.GSI1SK.set(moved.GSI1SK), BookingItem.GSI2SK.set(moved.GSI2SK),
                   *self._drop_proposal_actions()]
        if reminder:
            actions += [getattr(BookingItem, name).set(value) for name, value in reminder.items()]
        else:
            actions += [BookingItem.GSI4PK.remove(), BookingItem.GSI4SK.remove(), BookingItem.reminder_kind.remove()]
        self._tx.update(booking, actions=actions,
                        condition=_slot_unchanged(booking) & (BookingItem.proposal_id == proposal.proposal_id))
        self._add("update", "booking")
        return moved

    def drop_proposal(self, booking: BookingItem, proposal: Proposal, now: datetime) -> BookingItem:
        """Declined or withdrawn: the proposal read goes (and nothing else changes)."""
        self._tx.update(booking, actions=[*self._drop_proposal_actions(),
                                          BookingItem.updated_at.set(to_storage(now))],
                        condition=_slot_unchanged(booking) & (BookingItem.proposal_id == proposal.proposal_id))
        self._add("update", "booking")
        after = BookingItem.from_raw_data(booking.serialize())
        after.proposal_id = after.proposal_time_slot = after.proposal_by = after.proposal_expires_at = None
        after.updated_at = to_storage(now)
        return after

    @staticmethod
    def _drop_proposal_actions() -> list:
        return [BookingItem.proposal_id.remove(), BookingItem.proposal_time_slot.remove(),
                BookingItem.proposal_by.remove(), BookingItem.proposal_expires_at.remove()]

    def release_owned_locks(self, pro_id: str, hours: list[datetime], booking_id: str) -> None:
        """Deletes the hours' locks only while they are this booking's (absent: nothing to do)."""
        for hour in hours:
            self._tx.delete(SlotLockItem(*lock_key(pro_id, hour)),
                            condition=SlotLockItem.PK.does_not_exist() | (SlotLockItem.booking_id == booking_id))
            self._add("delete", "lock_release")

    def advance_reminder(self, booking: BookingItem, reminder: dict) -> None:
        """The job's claim of the reminder read: moved to the next one (or out of the index),
        only if the booking is still CONFIRMED at that hour with that reminder next."""
        if reminder:
            actions = [getattr(BookingItem, name).set(value) for name, value in reminder.items()]
        else:
            actions = [BookingItem.GSI4PK.remove(), BookingItem.GSI4SK.remove(), BookingItem.reminder_kind.remove()]
        self._tx.update(booking, actions=actions,
                        condition=_slot_unchanged(booking) & (BookingItem.GSI4SK == booking.GSI4SK))
        self._add("update", "booking")

