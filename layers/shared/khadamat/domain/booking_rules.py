"""Booking state machine of SPEC §6, as a pure table.

`decide` checks a move in this order, and raises the first failure:

1. Legality: (action, actor, status) must be a row of the table, else 409
   INVALID_TRANSITION. A PENDING booking whose expiresAt has passed counts as
   EXPIRED here ("any touch" expiry), for every action but `expire` itself, so
   the answer does not depend on whether the expiry job has run yet.
   Exception: the pro's confirm on an expired booking answers 409
   BOOKING_EXPIRED (SPEC: "confirm then → BOOKING_EXPIRED"), whether the
   booking is stored EXPIRED or merely past its expiresAt.
2. Time: cancel of a CONFIRMED booking at or after its start → 409
   CANCEL_FORBIDDEN_AFTER_START; complete before timeSlot + 1h → 409
   TOO_EARLY_TO_COMPLETE; expire before expiresAt → 409 INVALID_TRANSITION.
3. Reason: the pro's cancel needs a non-blank reason → 422 REASON_REQUIRED.
   (So a pro cancelling after the start without a reason learns it is too late,
   not that a reason is missing.)

Role checks (a CLIENT calling a pro-only route → 403) belong to the API
layer, before `decide`. Rules outside the table: who may confirm at all
(`check_can_confirm`, before the booking is read) and who may review what
(`check_can_review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from khadamat.domain.accounts import UserStatus
from khadamat.domain.errors import Conflict, Forbidden, NotFound, Unprocessable
from khadamat.domain.timeutil import HOUR, is_hour_aligned


class Status(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    DECLINED = "DECLINED"
    CANCELLED_BY_CLIENT = "CANCELLED_BY_CLIENT"
    CANCELLED_BY_CLIENT_LATE = "CANCELLED_BY_CLIENT_LATE"
    CANCELLED_BY_PRO = "CANCELLED_BY_PRO"
    CANCELLED_AUTO_FIRST_CONFIRMED = "CANCELLED_AUTO_FIRST_CONFIRMED"
    EXPIRED = "EXPIRED"
    COMPLETED = "COMPLETED"


class Action(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"
    CANCEL = "cancel"
    COMPLETE = "complete"
    EXPIRE = "expire"
    AUTO_CANCEL_FIRST_CONFIRMED = "auto_cancel_first_confirmed"
    AUTO_DECLINE_SLOT_TAKEN = "auto_decline_slot_taken"


class Actor(StrEnum):
    CLIENT = "CLIENT"  # the booking's client
    PRO = "PRO"  # the booking's pro
    SYSTEM = "SYSTEM"


class EventType(StrEnum):
    CREATED = "CREATED"
    CONFIRMED = "CONFIRMED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    SLOTS_RELEASED = "SLOTS_RELEASED"
    RESCHEDULED = "RESCHEDULED"  # wave 2 (SPEC §19): metadata holds the old and new slots


class Penalty(StrEnum):
    CLIENT_CANCEL_LATE = "CLIENT_CANCEL_LATE"
    PRO_CANCEL_CONFIRMED = "PRO_CANCEL_CONFIRMED"


@dataclass(frozen=True, slots=True)
class Transition:
    to_status: Status
    event_type: EventType
    penalty: Penalty | None = None
    releases_locks: bool = False

    @property
    def event_types(self) -> tuple[EventType, ...]:
        """Events to write, in order: releasing locks adds SLOTS_RELEASED after the main one."""
        if self.releases_locks:
            return (self.event_type, EventType.SLOTS_RELEASED)
        return (self.event_type,)


CLIENT_FREE_CANCEL_NOTICE = timedelta(hours=12)
PENDING_LIFETIME = timedelta(hours=12)
ESTIMATED_DURATION_HOURS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H8": 8}
DEFAULT_ESTIMATED_DURATION = "H1"

_TABLE: dict[tuple[Action, Actor, Status], Transition] = {
    (Action.CONFIRM, Actor.PRO, Status.PENDING): Transition(Status.CONFIRMED, EventType.CONFIRMED),
    (Action.DECLINE, Actor.PRO, Status.PENDING): Transition(Status.DECLINED, EventType.DECLINED),
    (Action.CANCEL, Actor.CLIENT, Status.PENDING): Transition(Status.CANCELLED_BY_CLIENT, EventType.CANCELLED),
    # Client cancel of CONFIRMED: neutral or late, chosen by _client_cancel_confirmed.
    (Action.CANCEL, Actor.CLIENT, Status.CONFIRMED): Transition(
        Status.CANCELLED_BY_CLIENT, EventType.CANCELLED, releases_locks=True
    ),
    (Action.CANCEL, Actor.PRO, Status.CONFIRMED): Transition(
        Status.CANCELLED_BY_PRO, EventType.CANCELLED, Penalty.PRO_CANCEL_CONFIRMED, releases_locks=True
    ),
    (Action.COMPLETE, Actor.PRO, Status.CONFIRMED): Transition(Status.COMPLETED, EventType.COMPLETED),
    (Action.EXPIRE, Actor.SYSTEM, Status.PENDING): Transition(Status.EXPIRED, EventType.EXPIRED),
    (Action.AUTO_CANCEL_FIRST_CONFIRMED, Actor.SYSTEM, Status.PENDING): Transition(
        Status.CANCELLED_AUTO_FIRST_CONFIRMED, EventType.CANCELLED
    ),
    (Action.AUTO_DECLINE_SLOT_TAKEN, Actor.SYSTEM, Status.PENDING): Transition(
        Status.DECLINED, EventType.DECLINED
    ),
}

_CLIENT_LATE_CANCEL = Transition(
    Status.CANCELLED_BY_CLIENT_LATE, EventType.CANCELLED, Penalty.CLIENT_CANCEL_LATE, releases_locks=True
)


def _invalid_transition(action: Action, actor: Actor, status: Status) -> Conflict:
    return Conflict(f"{actor.value} cannot {action.value} a {status.value} booking", code="INVALID_TRANSITION")


def is_effectively_expired(status: Status, expires_at: datetime, now: datetime) -> bool:
    """A PENDING booking is EXPIRED from expiresAt on, even before the job writes it."""
    return status == Status.PENDING and now >= expires_at


def _effective_status(action: Action, status: Status, expires_at: datetime, now: datetime) -> Status:
    if action != Action.EXPIRE and is_effectively_expired(status, expires_at, now):
        return Status.EXPIRED
    return status


def _check_time(action: Action, status: Status, time_slot: datetime, expires_at: datetime, now: datetime) -> None:
    if action == Action.CANCEL and status == Status.CONFIRMED and now >= time_slot:
        raise Conflict("the booking has started: file a report instead", code="CANCEL_FORBIDDEN_AFTER_START")
    if action == Action.COMPLETE and now < time_slot + HOUR:
        raise Conflict("a booking can be completed from one hour after its start", code="TOO_EARLY_TO_COMPLETE")
    if action == Action.EXPIRE and now < expires_at:
        raise Conflict("the booking is not due to expire yet", code="INVALID_TRANSITION")


def _client_cancel_confirmed(time_slot: datetime, now: datetime) -> Transition:
    if now <= time_slot - CLIENT_FREE_CANCEL_NOTICE:
        return _TABLE[(Action.CANCEL, Actor.CLIENT, Status.CONFIRMED)]
    return _CLIENT_LATE_CANCEL


def decide(
    action: Action,
    actor: Actor,
    status: Status,
    time_slot: datetime,
    expires_at: datetime,
    now: datetime,
    reason: str | None = None,
) -> Transition:
    action, actor, status = Action(action), Actor(actor), Status(status)
    # Arithmetic on aware non-UTC datetimes is wall-clock arithmetic: work in UTC.
    time_slot, expires_at, now = (moment.astimezone(UTC) for moment in (time_slot, expires_at, now))
    status = _effective_status(action, status, expires_at, now)
    if (action, actor, status) == (Action.CONFIRM, Actor.PRO, Status.EXPIRED):
        raise Conflict("this booking request has expired", code="BOOKING_EXPIRED")
    transition = _TABLE.get((action, actor, status))
    if transition is None:
        raise _invalid_transition(action, actor, status)
    _check_time(action, status, time_slot, expires_at, now)
    if transition.to_status == Status.CANCELLED_BY_PRO and not (reason and reason.strip()):
        raise Unprocessable("a reason is required to cancel a confirmed booking", code="REASON_REQUIRED")
    if (action, actor, status) == (Action.CANCEL, Actor.CLIENT, Status.CONFIRMED):
        return _client_cancel_confirmed(time_slot, now)
    return transition


def check_can_confirm(pro_status: str, phone_verified: bool) -> None:
    """Whether this pro may confirm at all, before any booking is read: a suspended pro
    cannot (SPEC §6 penalties); nor a pro whose phone is unproven (SPEC §15: the client
    will be given it)."""
    if pro_status == UserStatus.SUSPENDED:
        raise Forbidden("this pro account is suspended", "ACCOUNT_SUSPENDED")
    if not phone_verified:
        raise Forbidden("verify your phone before confirming (POST /auth/otp/send)", "PHONE_NOT_VERIFIED")


def check_can_review(status: Status, actor: Actor | None) -> None:
    """Only the booking's client reviews it (anyone else: 404, as for a booking they cannot
    see), and only once it is COMPLETED (409 INVALID_TRANSITION)."""
    if actor != Actor.CLIENT:
        raise NotFound("no such booking")
    if status != Status.COMPLETED:
        raise Conflict("only a completed booking can be reviewed", "INVALID_TRANSITION")


# --- booking creation and holding -----------------------------------------


def expires_at_for(created_at: datetime, time_slot: datetime) -> datetime:
    return min(created_at.astimezone(UTC) + PENDING_LIFETIME, time_slot.astimezone(UTC))


def validate_new_booking_slot(time_slot: datetime, now: datetime) -> None:
    if not is_hour_aligned(time_slot):
        raise Unprocessable("timeSlot must start on the hour", code="SLOT_NOT_ALIGNED")
    if time_slot <= now:
        raise Unprocessable("timeSlot must be in the future", code="SLOT_IN_PAST")


def held_hours(time_slot: datetime, estimated_duration: str | None = None) -> list[datetime]:
    """Slot starts a confirmed booking holds: consecutive real hours from time_slot."""
    duration = DEFAULT_ESTIMATED_DURATION if estimated_duration is None else estimated_duration
    if not isinstance(duration, str) or duration not in ESTIMATED_DURATION_HOURS:
        allowed = ", ".join(ESTIMATED_DURATION_HOURS)
        raise Unprocessable(f"estimatedDuration must be one of {allowed}", code="VALIDATION_ERROR")
    start = time_slot.astimezone(UTC)
    return [start + index * HOUR for index in range(ESTIMATED_DURATION_HOURS[duration])]


def phones_visible(status: Status, viewer_is_admin: bool) -> bool:
    """Privacy Shield: phone numbers only on a CONFIRMED booking, or for an admin."""
    return viewer_is_admin or status == Status.CONFIRMED
