"""Weekly hours validation and free slots (SPEC §4, §5), in Africa/Casablanca wall time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from khadamat.domain.errors import Unprocessable
from khadamat.domain.slots import (
    DayHours,
    Unavailability,
    day_of_week,
    free_slots,
    is_slot_free,
    validate_unavailability,
    validate_weekly,
)
from khadamat.domain.timeutil import CASABLANCA

SUNDAY, MONDAY, SATURDAY = 0, 1, 6
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=CASABLANCA, fold=fold)


def every_day(start_hour: int, end_hour: int) -> list[DayHours]:
    return [DayHours(day, start_hour * 60, end_hour * 60) for day in range(7)]


# --- validate_weekly --------------------------------------------------------


def test_given_valid_days_when_validated_then_parsed_and_sorted_by_day():
    days = [
        {"dayOfWeek": 6, "startMin": 480, "endMin": 720},
        {"dayOfWeek": 0, "startMin": 0, "endMin": 1440},
    ]
    assert validate_weekly(days) == (DayHours(0, 0, 1440), DayHours(6, 480, 720))


def test_given_no_days_when_validated_then_empty_week():
    assert validate_weekly([]) == ()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ({"dayOfWeek": 1}, "days must be a list"),
        (["monday"], "days[0] must be an object"),
        ([{"startMin": 0, "endMin": 60}], "days[0].dayOfWeek must be an integer"),
        ([{"dayOfWeek": 1, "startMin": "540", "endMin": 600}], "days[0].startMin must be an integer"),
        ([{"dayOfWeek": 1, "startMin": 540.0, "endMin": 600}], "days[0].startMin must be an integer"),
        ([{"dayOfWeek": True, "startMin": 540, "endMin": 600}], "days[0].dayOfWeek must be an integer"),
        ([{"dayOfWeek": 7, "startMin": 540, "endMin": 600}], "days[0].dayOfWeek must be between 0"),
        ([{"dayOfWeek": -1, "startMin": 540, "endMin": 600}], "days[0].dayOfWeek must be between 0"),
        (
            [{"dayOfWeek": 0, "startMin": 0, "endMin": 60}, {"dayOfWeek": 1, "startMin": 540, "endMin": 630}],
            "days[1].endMin must be a multiple of 60",
        ),
        ([{"dayOfWeek": 1, "startMin": 510, "endMin": 600}], "days[0].startMin must be a multiple of 60"),
        ([{"dayOfWeek": 1, "startMin": -60, "endMin": 600}], "days[0].startMin must be between 0 and 1440"),
        ([{"dayOfWeek": 1, "startMin": 540, "endMin": 1500}], "days[0].endMin must be between 0 and 1440"),
        ([{"dayOfWeek": 1, "startMin": 600, "endMin": 600}], "days[0].startMin must be less than days[0].endMin"),
        ([{"dayOfWeek": 1, "startMin": 660, "endMin": 600}], "days[0].startMin must be less than days[0].endMin"),
        (
            [{"dayOfWeek": 1, "startMin": 540, "endMin": 600}, {"dayOfWeek": 1, "startMin": 840, "endMin": 900}],
            "days[1].dayOfWeek: Monday already has a range",
        ),
    ],
)
def test_given_a_broken_field_when_validated_then_422_validation_error_names_the_field(days, message):
    with pytest.raises(Unprocessable) as raised:
        validate_weekly(days)
    assert raised.value.code == "VALIDATION_ERROR"
    assert raised.value.status == 422
    assert raised.value.message.startswith(message)


def test_given_an_empty_or_reversed_exception_when_validated_then_rejected():
    start = utc(2026, 10, 1, 9)
    for end in (start, start - timedelta(minutes=1)):
        with pytest.raises(Unprocessable) as raised:
            validate_unavailability(start, end)
        assert raised.value.code == "VALIDATION_ERROR"
    assert validate_unavailability(local(2026, 10, 1, 9), local(2026, 10, 1, 10)) == Unavailability(
        utc(2026, 10, 1, 9), utc(2026, 10, 1, 10)
    )


def test_day_of_week_counts_from_sunday():
    assert day_of_week(date(2026, 9, 20)) == SUNDAY
    assert day_of_week(date(2026, 9, 21)) == MONDAY
    assert day_of_week(date(2026, 9, 26)) == SATURDAY


# --- free_slots: the 2026-09-20 switch to permanent UTC+00 -----------------


def test_given_monday_9_to_11_when_the_week_before_the_switch_then_slots_are_08z_and_09z():
    weekly = [DayHours(MONDAY, 9 * 60, 11 * 60)]
    assert free_slots(weekly, [], [], date(2026, 9, 14), 1, LONG_AGO) == [utc(2026, 9, 14, 8), utc(2026, 9, 14, 9)]


def test_given_monday_9_to_11_when_the_week_after_the_switch_then_slots_are_09z_and_10z():
    weekly = [DayHours(MONDAY, 9 * 60, 11 * 60)]
    assert free_slots(weekly, [], [], date(2026, 9, 21), 1, LONG_AGO) == [utc(2026, 9, 21, 9), utc(2026, 9, 21, 10)]


def test_given_a_two_week_listing_across_the_switch_then_each_date_uses_its_own_offset():
    weekly = [DayHours(MONDAY, 9 * 60, 11 * 60)]
    assert free_slots(weekly, [], [], date(2026, 9, 14), 14, LONG_AGO) == [
        utc(2026, 9, 14, 8),
        utc(2026, 9, 14, 9),
        utc(2026, 9, 21, 9),
        utc(2026, 9, 21, 10),
    ]


def test_given_the_switch_night_when_01h_local_happens_twice_then_both_real_hours_are_slots():
    # Sunday 2026-09-20: 02:00+01:00 became 01:00+00:00, so the wall hour 01:00 occurs twice.
    weekly = [DayHours(SUNDAY, 0, 3 * 60)]
    assert free_slots(weekly, [], [], date(2026, 9, 20), 1, LONG_AGO) == [
        utc(2026, 9, 19, 23),  # 00:00+01:00
        utc(2026, 9, 20, 0),  # 01:00+01:00
        utc(2026, 9, 20, 1),  # 01:00+00:00
        utc(2026, 9, 20, 2),  # 02:00+00:00
    ]


def test_given_the_end_of_ramadan_time_when_02h_local_does_not_exist_then_it_is_skipped():
    # Sunday 2026-03-22: 02:00+00:00 jumped to 03:00+01:00.
    weekly = [DayHours(SUNDAY, 0, 4 * 60)]
    slots = free_slots(weekly, [], [], date(2026, 3, 22), 1, LONG_AGO)
    assert [slot.astimezone(CASABLANCA).hour for slot in slots] == [0, 1, 3]
    assert slots == [utc(2026, 3, 22, 0), utc(2026, 3, 22, 1), utc(2026, 3, 22, 2)]


def test_given_a_slot_at_local_midnight_before_the_switch_then_it_belongs_to_that_local_date():
    weekly = every_day(0, 1)
    assert free_slots(weekly, [], [], date(2026, 9, 14), 1, LONG_AGO) == [utc(2026, 9, 13, 23)]
    assert free_slots(weekly, [], [], date(2026, 9, 13), 1, LONG_AGO) == [utc(2026, 9, 12, 23)]


def test_given_hours_until_midnight_then_the_last_slot_is_23h_local():
    weekly = [DayHours(MONDAY, 22 * 60, 1440)]
    assert free_slots(weekly, [], [], date(2026, 12, 7), 1, LONG_AGO) == [utc(2026, 12, 7, 22), utc(2026, 12, 7, 23)]


# --- exceptions, locks, now --------------------------------------------------


def test_given_an_exception_spanning_midnight_then_the_hours_it_overlaps_on_both_dates_are_taken_out():
    weekly = [DayHours(day, 0, 1440) for day in range(7)]
    exception = Unavailability(local(2026, 12, 1, 22, 30), local(2026, 12, 2, 2))
    slots = free_slots(weekly, [exception], [], date(2026, 12, 1), 2, LONG_AGO)
    hours = {(slot.day, slot.hour) for slot in slots}
    assert (1, 21) in hours
    assert {(1, 22), (1, 23), (2, 0), (2, 1)}.isdisjoint(hours)
    assert (2, 2) in hours  # endAt is exclusive
    assert len(slots) == 48 - 4


def test_given_an_exception_spanning_several_days_then_every_hour_inside_is_taken_out():
    weekly = every_day(9, 17)
    exception = (utc(2026, 12, 1, 12), utc(2026, 12, 4, 10))
    slots = free_slots(weekly, [exception], [], date(2026, 12, 1), 5, LONG_AGO)
    assert [slot for slot in slots if slot.day in (2, 3)] == []
    assert [slot.hour for slot in slots if slot.day == 1] == [9, 10, 11]
    assert [slot.hour for slot in slots if slot.day == 4] == [10, 11, 12, 13, 14, 15, 16]
    assert len([slot for slot in slots if slot.day == 5]) == 8


def test_given_an_exception_covering_part_of_an_hour_then_the_whole_hour_is_not_free():
    weekly = every_day(9, 12)
    exception = (utc(2026, 12, 1, 10, 15), utc(2026, 12, 1, 10, 45))
    assert free_slots(weekly, [exception], [], date(2026, 12, 1), 1, LONG_AGO) == [
        utc(2026, 12, 1, 9),
        utc(2026, 12, 1, 11),
    ]


def test_given_locked_starts_in_any_zone_then_those_slots_are_not_free():
    weekly = every_day(9, 12)
    locked = [local(2026, 6, 1, 10), utc(2026, 6, 1, 10)]  # 09:00Z and 10:00Z
    assert free_slots(weekly, [], locked, date(2026, 6, 1), 1, LONG_AGO) == [utc(2026, 6, 1, 8)]


def test_given_now_when_a_slot_starts_at_or_before_now_then_it_is_not_free():
    weekly = every_day(9, 13)
    day = date(2026, 12, 1)
    assert free_slots(weekly, [], [], day, 1, utc(2026, 12, 1, 10)) == [utc(2026, 12, 1, 11), utc(2026, 12, 1, 12)]
    assert free_slots(weekly, [], [], day, 1, utc(2026, 12, 1, 9, 59)) == [
        utc(2026, 12, 1, 10),
        utc(2026, 12, 1, 11),
        utc(2026, 12, 1, 12),
    ]


def test_given_a_day_without_weekly_hours_then_no_slots():
    weekly = [DayHours(MONDAY, 9 * 60, 17 * 60)]
    assert free_slots(weekly, [], [], date(2026, 12, 1), 1, LONG_AGO) == []  # a Tuesday


def test_results_are_aware_utc():
    slots = free_slots(every_day(9, 10), [], [], date(2026, 6, 1), 3, LONG_AGO)
    assert len(slots) == 3
    assert all(slot.tzinfo is UTC for slot in slots)


def test_is_slot_free_agrees_with_each_rule():
    weekly = [DayHours(MONDAY, 9 * 60, 11 * 60)]
    now = utc(2026, 9, 1)
    assert is_slot_free(weekly, [], [], utc(2026, 9, 14, 8), now)
    assert is_slot_free(weekly, [], [], local(2026, 9, 14, 10), now)
    assert not is_slot_free(weekly, [], [], utc(2026, 9, 14, 10), now)  # 11:00 local: after hours
    assert not is_slot_free(weekly, [], [], utc(2026, 9, 14, 8, 30), now)  # not on the hour
    assert not is_slot_free(weekly, [], [utc(2026, 9, 14, 8)], utc(2026, 9, 14, 8), now)
    assert not is_slot_free(weekly, [(utc(2026, 9, 14, 8, 59), utc(2026, 9, 14, 9))], [], utc(2026, 9, 14, 8), now)
    assert not is_slot_free(weekly, [], [], utc(2026, 9, 14, 8), utc(2026, 9, 14, 8))
    assert is_slot_free(weekly, [], [], utc(2026, 9, 21, 9), now)
    assert not is_slot_free(weekly, [], [], utc(2026, 9, 21, 8), now)


def test_is_slot_free_keeps_both_real_hours_of_a_repeated_wall_hour():
    weekly = [DayHours(SUNDAY, 60, 120)]
    assert is_slot_free(weekly, [], [], local(2026, 9, 20, 1, fold=0), LONG_AGO)
    assert is_slot_free(weekly, [], [], local(2026, 9, 20, 1, fold=1), LONG_AGO)


# --- properties ---------------------------------------------------------------

FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2027, 3, 31)
TRANSITION_DATES = (date(2026, 2, 15), date(2026, 3, 22), date(2026, 9, 20))

day_hours = st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda pair: pair[0] < pair[1])
weekly_hours = st.dictionaries(st.integers(0, 6), day_hours, max_size=7).map(
    lambda days: [DayHours(day, start * 60, end * 60) for day, (start, end) in days.items()]
)
instants = st.datetimes(
    min_value=datetime(2025, 12, 25), max_value=datetime(2027, 4, 20), timezones=st.just(UTC)
)
exception_ranges = st.lists(
    st.tuples(instants, st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=3))).map(
        lambda pair: (pair[0], pair[0] + pair[1])
    ),
    max_size=4,
)
whole_hours = instants.map(lambda moment: moment.replace(minute=0, second=0, microsecond=0))


def wall_clock_oracle(weekly, exceptions, locked, from_date, days, now):
    """Independent construction: every local wall hour of the weekly hours, both folds, if it exists."""
    hours_by_day = {hours.day_of_week: hours for hours in weekly}
    found = set()
    for offset in range(days):
        day = from_date + timedelta(days=offset)
        hours = hours_by_day.get(day.isoweekday() % 7)
        if hours is None:
            continue
        for hour in range(hours.start_min // 60, hours.end_min // 60):
            for fold in (0, 1):
                wall = datetime(day.year, day.month, day.day, hour, tzinfo=CASABLANCA, fold=fold)
                start = wall.astimezone(UTC)
                back = start.astimezone(CASABLANCA)
                if (back.date(), back.hour, back.minute) != (day, hour, 0):
                    continue  # this wall hour does not exist on that date
                if start <= now or start in locked:
                    continue
                if any(low < start + timedelta(hours=1) and start < high for low, high in exceptions):
                    continue
                found.add(start)
    return sorted(found)


@settings(max_examples=300, deadline=None)
@given(
    weekly=weekly_hours,
    exceptions=exception_ranges,
    locked=st.lists(whole_hours, max_size=6),
    from_date=st.one_of(st.dates(FIRST_DAY, LAST_DAY), st.sampled_from(TRANSITION_DATES)),
    days=st.integers(1, 14),
    now=instants,
)
@example(
    weekly=[DayHours(SUNDAY, 0, 240)], exceptions=[], locked=[], from_date=date(2026, 9, 20), days=1, now=LONG_AGO
)
def test_property_free_slots_obey_every_rule(weekly, exceptions, locked, from_date, days, now):
    slots = free_slots(weekly, exceptions, locked, from_date, days, now)
    hours_by_day = {hours.day_of_week: hours for hours in weekly}
    locked_set = set(locked)
    assert slots == sorted(set(slots)), "ascending and unique"
    for slot in slots:
        wall = slot.astimezone(CASABLANCA)
        assert slot.tzinfo is UTC
        assert (wall.minute, wall.second, wall.microsecond) == (0, 0, 0), "aligned in local time"
        assert slot > now, "strictly in the future"
        assert from_date <= wall.date() < from_date + timedelta(days=days), "inside the requested local dates"
        hours = hours_by_day[day_of_week(wall.date())]
        assert hours.start_min <= wall.hour * 60 < hours.end_min, "inside the weekly hours of its local date"
        assert slot not in locked_set
        assert not any(low < slot + timedelta(hours=1) and slot < high for low, high in exceptions)
    assert slots == wall_clock_oracle(weekly, exceptions, locked_set, from_date, days, now), "nothing free is missing"


@settings(max_examples=200, deadline=None)
@given(
    weekly=weekly_hours,
    exceptions=exception_ranges,
    locked=st.lists(whole_hours, max_size=6),
    slot_start=st.one_of(whole_hours, instants),
    now=instants,
)
def test_property_is_slot_free_matches_the_wall_clock_oracle(weekly, exceptions, locked, slot_start, now):
    local_day = slot_start.astimezone(CASABLANCA).date()
    expected = slot_start in wall_clock_oracle(weekly, exceptions, set(locked), local_day, 1, now)
    assert is_slot_free(weekly, exceptions, locked, slot_start, now) is expected
