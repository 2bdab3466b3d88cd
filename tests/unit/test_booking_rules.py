"""Booking state machine (SPEC §6): every (status, actor, action, time band) cell."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from khadamat.domain.booking_rules import (
    Action,
    Actor,
    EventType,
    Penalty,
    Status,
    Transition,
    decide,
    expires_at_for,
    held_hours,
    is_effectively_expired,
    phones_visible,
    validate_new_booking_slot,
)
from khadamat.domain.errors import Conflict, DomainError, Unprocessable
from khadamat.domain.timeutil import CASABLANCA

H = timedelta(hours=1)
TIME_SLOT = datetime(2026, 10, 10, 10, tzinfo=UTC)
CREATED_AT = TIME_SLOT - 20 * H
EXPIRES_AT = CREATED_AT + 12 * H  # = TIME_SLOT - 8h
REASON = "Imprévu familial"

# Time bands: the instants where some rule of the table changes its answer.
BANDS = {
    "early": TIME_SLOT - 20 * H,  # PENDING alive; ≥ 12h before the start
    "at_notice": TIME_SLOT - 12 * H,  # last instant of the neutral client cancel
    "inside_12h": TIME_SLOT - 10 * H,  # late client cancel; PENDING still alive
    "at_expiry": EXPIRES_AT,  # PENDING is expired from here on
    "just_before_start": TIME_SLOT - timedelta(microseconds=1),
    "at_start": TIME_SLOT,
    "before_complete": TIME_SLOT + H - timedelta(microseconds=1),
    "at_complete": TIME_SLOT + H,
    "long_after": TIME_SLOT + timedelta(days=3),
}
ALIVE = ("early", "at_notice", "inside_12h")  # PENDING not yet expired
EXPIRED_BANDS = tuple(band for band in BANDS if band not in ALIVE)
BEFORE_START = ALIVE + ("at_expiry", "just_before_start")
FROM_START = ("at_start", "before_complete", "at_complete", "long_after")


def outcome(to_status, event, penalty=None, releases_locks=False):
    return Transition(to_status, event, penalty, releases_locks)


def bands(spec: dict[tuple[str, ...], object]) -> dict[str, object]:
    expanded = {band: result for names, result in spec.items() for band in names}
    assert set(expanded) == set(BANDS), "each listed cell covers every band"
    return expanded


INVALID = "INVALID_TRANSITION"

# The SPEC §6 transition table. Every (status, actor, action) not listed here is
# INVALID_TRANSITION in every band.
LISTED = {
    (Status.PENDING, Actor.PRO, Action.CONFIRM): bands(
        {ALIVE: outcome(Status.CONFIRMED, EventType.CONFIRMED), EXPIRED_BANDS: "BOOKING_EXPIRED"}
    ),
    (Status.EXPIRED, Actor.PRO, Action.CONFIRM): bands({tuple(BANDS): "BOOKING_EXPIRED"}),
    (Status.PENDING, Actor.PRO, Action.DECLINE): bands(
        {ALIVE: outcome(Status.DECLINED, EventType.DECLINED), EXPIRED_BANDS: INVALID}
    ),
    (Status.PENDING, Actor.CLIENT, Action.CANCEL): bands(
        {ALIVE: outcome(Status.CANCELLED_BY_CLIENT, EventType.CANCELLED), EXPIRED_BANDS: INVALID}
    ),
    (Status.CONFIRMED, Actor.CLIENT, Action.CANCEL): bands(
        {
            ("early", "at_notice"): outcome(Status.CANCELLED_BY_CLIENT, EventType.CANCELLED, releases_locks=True),
            ("inside_12h", "at_expiry", "just_before_start"): outcome(
                Status.CANCELLED_BY_CLIENT_LATE, EventType.CANCELLED, Penalty.CLIENT_CANCEL_LATE, True
            ),
            FROM_START: "CANCEL_FORBIDDEN_AFTER_START",
        }
    ),
    (Status.CONFIRMED, Actor.PRO, Action.CANCEL): bands(
        {
            BEFORE_START: outcome(Status.CANCELLED_BY_PRO, EventType.CANCELLED, Penalty.PRO_CANCEL_CONFIRMED, True),
            FROM_START: "CANCEL_FORBIDDEN_AFTER_START",
        }
    ),
    (Status.CONFIRMED, Actor.PRO, Action.COMPLETE): bands(
        {
            BEFORE_START + ("at_start", "before_complete"): "TOO_EARLY_TO_COMPLETE",
            ("at_complete", "long_after"): outcome(Status.COMPLETED, EventType.COMPLETED),
        }
    ),
    (Status.PENDING, Actor.SYSTEM, Action.EXPIRE): bands(
        {ALIVE: INVALID, EXPIRED_BANDS: outcome(Status.EXPIRED, EventType.EXPIRED)}
    ),
    (Status.PENDING, Actor.SYSTEM, Action.AUTO_CANCEL_FIRST_CONFIRMED): bands(
        {ALIVE: outcome(Status.CANCELLED_AUTO_FIRST_CONFIRMED, EventType.CANCELLED), EXPIRED_BANDS: INVALID}
    ),
    (Status.PENDING, Actor.SYSTEM, Action.AUTO_DECLINE_SLOT_TAKEN): bands(
        {ALIVE: outcome(Status.DECLINED, EventType.DECLINED), EXPIRED_BANDS: INVALID}
    ),
}

CELLS = [
    pytest.param(status, actor, action, band, id=f"{status.value}-{actor.value}-{action.value}-{band}")
    for status, actor, action, band in itertools.product(Status, Actor, Action, BANDS)
]
ERROR_STATUS = {
    "INVALID_TRANSITION": 409,
    "BOOKING_EXPIRED": 409,
    "CANCEL_FORBIDDEN_AFTER_START": 409,
    "TOO_EARLY_TO_COMPLETE": 409,
}


def expected_for(status, actor, action, band):
    return LISTED.get((status, actor, action), {}).get(band, INVALID)


@pytest.mark.parametrize(("status", "actor", "action", "band"), CELLS)
def test_every_cell_of_the_state_machine(status, actor, action, band):
    # Given a booking in `status`, When `actor` attempts `action` at `band`, Then the SPEC's answer.
    expected = expected_for(status, actor, action, band)
    attempt = lambda: decide(action, actor, status, TIME_SLOT, EXPIRES_AT, BANDS[band], reason=REASON)  # noqa: E731
    if isinstance(expected, Transition):
        assert attempt() == expected
    else:
        with pytest.raises(DomainError) as raised:
            attempt()
        assert isinstance(raised.value, Conflict)
        assert (raised.value.code, raised.value.status) == (expected, ERROR_STATUS[expected])


def test_the_cell_grid_is_complete():
    assert len(CELLS) == len(Status) * len(Actor) * len(Action) * len(BANDS) == 9 * 3 * 7 * 9
    assert len(LISTED) == 10  # the SPEC table's rows, plus confirm on a stored EXPIRED booking


# --- check order and reasons ------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_given_a_confirmed_booking_when_the_pro_cancels_without_a_reason_before_start_then_422(reason):
    with pytest.raises(Unprocessable) as raised:
        decide(Action.CANCEL, Actor.PRO, Status.CONFIRMED, TIME_SLOT, EXPIRES_AT, BANDS["early"], reason=reason)
    assert (raised.value.status, raised.value.code) == (422, "REASON_REQUIRED")


def test_given_the_start_has_passed_when_the_pro_cancels_without_a_reason_then_time_rule_wins():
    with pytest.raises(Conflict) as raised:
        decide(Action.CANCEL, Actor.PRO, Status.CONFIRMED, TIME_SLOT, EXPIRES_AT, BANDS["at_start"])
    assert raised.value.code == "CANCEL_FORBIDDEN_AFTER_START"


def test_given_a_pending_booking_when_the_pro_cancels_without_a_reason_then_invalid_transition_wins():
    with pytest.raises(Conflict) as raised:
        decide(Action.CANCEL, Actor.PRO, Status.PENDING, TIME_SLOT, EXPIRES_AT, BANDS["early"])
    assert raised.value.code == "INVALID_TRANSITION"


def test_given_a_client_cancel_then_no_reason_is_needed():
    result = decide(Action.CANCEL, Actor.CLIENT, Status.CONFIRMED, TIME_SLOT, EXPIRES_AT, BANDS["early"])
    assert result.to_status == Status.CANCELLED_BY_CLIENT


def test_given_string_values_then_decide_accepts_them():
    result = decide("confirm", "PRO", "PENDING", TIME_SLOT, EXPIRES_AT, BANDS["early"])
    assert result.to_status == "CONFIRMED"


def test_given_local_time_inputs_across_the_switch_then_the_12h_notice_is_counted_in_real_hours():
    # The slot is 10:00+00:00 on 2026-09-20; 12h before is 22:00Z, i.e. 23:00+01:00 on the 19th.
    time_slot = datetime(2026, 9, 20, 10, tzinfo=CASABLANCA)
    now_neutral = datetime(2026, 9, 19, 22, 30, tzinfo=CASABLANCA)  # 21:30Z: 12h30 before
    now_late = datetime(2026, 9, 19, 23, 30, tzinfo=CASABLANCA)  # 22:30Z: 11h30 before
    expires_at = time_slot - timedelta(days=1)
    neutral = decide(Action.CANCEL, Actor.CLIENT, Status.CONFIRMED, time_slot, expires_at, now_neutral)
    late = decide(Action.CANCEL, Actor.CLIENT, Status.CONFIRMED, time_slot, expires_at, now_late)
    assert (neutral.to_status, neutral.penalty) == (Status.CANCELLED_BY_CLIENT, None)
    assert (late.to_status, late.penalty) == (Status.CANCELLED_BY_CLIENT_LATE, Penalty.CLIENT_CANCEL_LATE)


def test_releasing_locks_adds_a_slots_released_event_after_the_main_one():
    cancel = decide(Action.CANCEL, Actor.PRO, Status.CONFIRMED, TIME_SLOT, EXPIRES_AT, BANDS["early"], REASON)
    assert cancel.event_types == (EventType.CANCELLED, EventType.SLOTS_RELEASED)
    decline = decide(Action.DECLINE, Actor.PRO, Status.PENDING, TIME_SLOT, EXPIRES_AT, BANDS["early"])
    assert decline.event_types == (EventType.DECLINED,)


# --- expiry -----------------------------------------------------------------------


def test_expires_at_is_twelve_hours_after_creation_or_the_slot_if_sooner():
    created = datetime(2026, 10, 1, 8, tzinfo=UTC)
    assert expires_at_for(created, created + 48 * H) == created + 12 * H
    assert expires_at_for(created, created + 3 * H) == created + 3 * H
    assert expires_at_for(created, created + 12 * H) == created + 12 * H


def test_is_effectively_expired_only_for_pending_from_expires_at_on():
    assert not is_effectively_expired(Status.PENDING, EXPIRES_AT, EXPIRES_AT - timedelta(microseconds=1))
    assert is_effectively_expired(Status.PENDING, EXPIRES_AT, EXPIRES_AT)
    for status in Status:
        if status != Status.PENDING:
            assert not is_effectively_expired(status, EXPIRES_AT, EXPIRES_AT + 24 * H)


# --- new bookings -------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 20, tzinfo=UTC)


def test_given_an_hour_aligned_future_slot_then_accepted():
    validate_new_booking_slot(datetime(2026, 6, 1, 13, tzinfo=UTC), NOW)  # 14:00+01:00


@pytest.mark.parametrize(
    "slot",
    [
        datetime(2026, 6, 2, 13, 30, tzinfo=UTC),
        datetime(2026, 6, 2, 13, 0, 1, tzinfo=UTC),
        datetime(2026, 6, 2, 13, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 5, 1, 13, 30, tzinfo=UTC),  # also in the past: alignment is checked first
    ],
)
def test_given_a_slot_not_on_the_hour_then_422_slot_not_aligned(slot):
    with pytest.raises(Unprocessable) as raised:
        validate_new_booking_slot(slot, NOW)
    assert (raised.value.status, raised.value.code) == (422, "SLOT_NOT_ALIGNED")


@pytest.mark.parametrize(
    ("slot", "now"),
    [
        (datetime(2026, 6, 1, 12, tzinfo=UTC), datetime(2026, 6, 1, 12, tzinfo=UTC)),  # starting right now
        (datetime(2026, 6, 1, 12, tzinfo=UTC), NOW),
        (datetime(2026, 5, 1, 8, tzinfo=UTC), NOW),
    ],
)
def test_given_a_slot_at_or_before_now_then_422_slot_in_past(slot, now):
    with pytest.raises(Unprocessable) as raised:
        validate_new_booking_slot(slot, now)
    assert raised.value.code == "SLOT_IN_PAST"


@pytest.mark.parametrize(
    ("duration", "hours"), [(None, 1), ("H1", 1), ("H2", 2), ("H3", 3), ("H4", 4), ("H8", 8)]
)
def test_held_hours_are_consecutive_real_hours_from_the_slot(duration, hours):
    assert held_hours(TIME_SLOT, duration) == [TIME_SLOT + index * H for index in range(hours)]


def test_held_hours_across_the_switch_night_follow_real_time():
    # 00:00+01:00 on 2026-09-20, three hours: 00:00+01, 01:00+01, 01:00+00.
    slot = datetime(2026, 9, 20, 0, tzinfo=CASABLANCA)
    held = held_hours(slot, "H3")
    assert held == [
        datetime(2026, 9, 19, 23, tzinfo=UTC),
        datetime(2026, 9, 20, 0, tzinfo=UTC),
        datetime(2026, 9, 20, 1, tzinfo=UTC),
    ]
    assert [moment.astimezone(CASABLANCA).hour for moment in held] == [0, 1, 1]


@pytest.mark.parametrize("duration", ["H5", "h1", "1", "", "H24", 1, [], {}])
def test_given_an_unknown_estimated_duration_then_422(duration):
    with pytest.raises(Unprocessable) as raised:
        held_hours(TIME_SLOT, duration)
    assert raised.value.code == "VALIDATION_ERROR"


# --- Privacy Shield -------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_phones_are_visible_only_on_confirmed_bookings_or_to_admins(status):
    assert phones_visible(status, viewer_is_admin=False) is (status == Status.CONFIRMED)
    assert phones_visible(status, viewer_is_admin=True) is True


# ---- rules outside the table (issue 15: moved from the use cases)
def test_a_suspended_pro_cannot_confirm_whatever_its_phone():
    from khadamat.domain.booking_rules import check_can_confirm

    for verified in (True, False):
        with pytest.raises(DomainError) as refusal:
            check_can_confirm("SUSPENDED", verified)
        assert (refusal.value.status, refusal.value.code) == (403, "ACCOUNT_SUSPENDED")


def test_an_active_pro_confirms_only_with_a_verified_phone():
    from khadamat.domain.booking_rules import check_can_confirm

    check_can_confirm("ACTIVE", True)
    with pytest.raises(DomainError) as refusal:
        check_can_confirm("ACTIVE", False)
    assert (refusal.value.status, refusal.value.code) == (403, "PHONE_NOT_VERIFIED")


@pytest.mark.parametrize("status", [s for s in Status if s != Status.COMPLETED])
def test_only_a_completed_booking_can_be_reviewed(status):
    from khadamat.domain.booking_rules import check_can_review

    with pytest.raises(Conflict) as refusal:
        check_can_review(status, Actor.CLIENT)
    assert refusal.value.code == "INVALID_TRANSITION"
    check_can_review(Status.COMPLETED, Actor.CLIENT)


@pytest.mark.parametrize("actor", [Actor.PRO, None])
def test_only_the_client_reviews_and_anyone_else_learns_nothing(actor):
    from khadamat.domain.booking_rules import check_can_review

    with pytest.raises(DomainError) as refusal:
        check_can_review(Status.COMPLETED, actor)
    assert (refusal.value.status, refusal.value.code) == (404, "NOT_FOUND")
