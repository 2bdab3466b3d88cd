"""Booking changes (SPEC §19), as pure rules: reschedule proposals and reminder times.

A proposal is one open offer to move a CONFIRMED booking to another hour, by either party,
answered by the other (accept) or dropped by either (decline: refusal or withdrawal). It
lapses at min(created + 12 h, the earlier of the two slots): after that it is as if it had
never been made (no write needed, no job).

Reminders: 24 h and 2 h before a CONFIRMED booking's start. Only reminders still ahead when
the booking is confirmed (or rescheduled) are planned; one passed by more than an hour when
the job reaches it is skipped, never sent late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from khadamat.domain.booking_rules import Actor, Status, validate_new_booking_slot
from khadamat.domain.errors import Conflict, Forbidden, Unprocessable

PROPOSAL_LIFETIME = timedelta(hours=12)
# (kind, how long before the start), in the order they fall due
REMINDERS: tuple[tuple[str, timedelta], ...] = (("H24", timedelta(hours=24)), ("H2", timedelta(hours=2)))
REMINDER_GRACE = timedelta(hours=1)  # later than this after its time, a reminder is skipped


@dataclass(frozen=True, slots=True)
class Proposal:
    proposal_id: str
    time_slot: datetime
    proposed_by: Actor  # CLIENT or PRO
    expires_at: datetime


def proposal_expires_at(created_at: datetime, current_slot: datetime, new_slot: datetime) -> datetime:
    return min(created_at.astimezone(UTC) + PROPOSAL_LIFETIME, current_slot.astimezone(UTC),
               new_slot.astimezone(UTC))


def is_open(proposal: Proposal | None, now: datetime) -> bool:
    return proposal is not None and now < proposal.expires_at


def check_can_propose(status: Status, actor: Actor | None, current_slot: datetime, new_slot: datetime,
                      now: datetime) -> None:
    """Who, when and where (the pro's hours and locks are checked by the caller)."""
    if actor not in (Actor.CLIENT, Actor.PRO):
        raise Forbidden("only the booking's client or pro may propose another time")
    if Status(status) != Status.CONFIRMED or now >= current_slot:
        raise Conflict("only a confirmed booking that has not started can be rescheduled",
                       "INVALID_TRANSITION")
    validate_new_booking_slot(new_slot, now)
    if new_slot == current_slot:
        raise Unprocessable("timeSlot is already the booking's time", "VALIDATION_ERROR")


def check_can_answer(status: Status, proposal: Proposal | None, actor: Actor | None, now: datetime,
                     accepting: bool) -> Proposal:
    """The open proposal a party may accept (the other party) or decline (either party)."""
    if actor not in (Actor.CLIENT, Actor.PRO):
        raise Forbidden("only the booking's client or pro may answer a proposal")
    if Status(status) != Status.CONFIRMED or not is_open(proposal, now):
        raise Conflict("this booking has no open proposal", "INVALID_TRANSITION")
    if accepting and proposal.proposed_by == actor:
        raise Forbidden("the other party accepts a proposal, not its author")
    return proposal


def next_reminder(time_slot: datetime, after: datetime) -> tuple[str, datetime] | None:
    """The first reminder of a booking starting at ``time_slot`` falling due after ``after``."""
    for kind, ahead in REMINDERS:
        due = time_slot.astimezone(UTC) - ahead
        if due > after:
            return kind, due
    return None


def reminder_is_stale(due: datetime, now: datetime) -> bool:
    return now - due > REMINDER_GRACE
