"""Weekly hours and free hourly slots of a pro (SPEC §4, §5).

A slot is free when it is in the future, inside the weekly hours of its local
day, outside every exception and not held by a slot lock.

Weekly hours are Africa/Casablanca wall time on each date, so the same
09:00-12:00 gives 08:00Z.. while Morocco was on +01:00 and 09:00Z.. after the
switch to permanent UTC+00 on 2026-09-20. Candidates are enumerated as UTC
hours and kept when their local wall time is on the hour and inside the hours
of their local date: a wall hour that does not exist (clocks jump forward) is
never produced, and a wall hour that occurs twice (clocks fall back) gives two
distinct real hours, both of which the pro is there for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from khadamat.domain.errors import Unprocessable
from khadamat.domain.timeutil import CASABLANCA, HOUR, local_midnight

MINUTES_PER_DAY = 1440
SLOT_MINUTES = 60
SUNDAY_FIRST_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass(frozen=True, slots=True)
class DayHours:
    """One weekly range: dayOfWeek 0 = Sunday .. 6 = Saturday, minutes from local midnight."""

    day_of_week: int
    start_min: int
    end_min: int

    def to_json(self) -> dict:
        return {"dayOfWeek": self.day_of_week, "startMin": self.start_min, "endMin": self.end_min}


class Unavailability(NamedTuple):
    """An exception: the pro is unavailable in [start_at, end_at). Unpacks as a (start_at, end_at) pair."""

    start_at: datetime
    end_at: datetime


# --- validation ------------------------------------------------------------


def _invalid(message: str) -> Unprocessable:
    return Unprocessable(message, code="VALIDATION_ERROR")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _required_int(item: dict, field: str, path: str) -> int:
    value = item.get(field)
    if not _is_int(value):
        raise _invalid(f"{path}.{field} must be an integer")
    return value


def _validate_day(item: object, path: str) -> DayHours:
    if not isinstance(item, dict):
        raise _invalid(f"{path} must be an object")
    day_of_week = _required_int(item, "dayOfWeek", path)
    start_min = _required_int(item, "startMin", path)
    end_min = _required_int(item, "endMin", path)
    if not 0 <= day_of_week <= 6:
        raise _invalid(f"{path}.dayOfWeek must be between 0 (Sunday) and 6 (Saturday)")
    for field, value in (("startMin", start_min), ("endMin", end_min)):
        if value % SLOT_MINUTES:
            raise _invalid(f"{path}.{field} must be a multiple of {SLOT_MINUTES}")
        if not 0 <= value <= MINUTES_PER_DAY:
            raise _invalid(f"{path}.{field} must be between 0 and {MINUTES_PER_DAY}")
    if start_min >= end_min:
        raise _invalid(f"{path}.startMin must be less than {path}.endMin")
    return DayHours(day_of_week, start_min, end_min)


def validate_weekly(days: object) -> tuple[DayHours, ...]:
    """The `days` field of PUT /pro/availability/weekly, checked; sorted by day."""
    if not isinstance(days, list):
        raise _invalid("days must be a list")
    parsed = [_validate_day(item, f"days[{index}]") for index, item in enumerate(days)]
    seen: set[int] = set()
    for index, day in enumerate(parsed):
        if day.day_of_week in seen:
            name = SUNDAY_FIRST_DAY_NAMES[day.day_of_week]
            raise _invalid(f"days[{index}].dayOfWeek: {name} already has a range (at most one per day)")
        seen.add(day.day_of_week)
    return tuple(sorted(parsed, key=lambda day: day.day_of_week))


def validate_unavailability(start_at: datetime, end_at: datetime) -> Unavailability:
    if end_at <= start_at:
        raise _invalid("endAt must be after startAt")
    return Unavailability(start_at.astimezone(UTC), end_at.astimezone(UTC))


# --- free slots ------------------------------------------------------------


def day_of_week(day: date) -> int:
    """SPEC numbering: 0 = Sunday .. 6 = Saturday (Python's weekday() has Monday = 0)."""
    return day.isoweekday() % 7


def _within_weekly_hours(slot_start: datetime, hours_by_day: dict[int, DayHours]) -> bool:
    local = slot_start.astimezone(CASABLANCA)
    if local.minute or local.second or local.microsecond:
        return False
    hours = hours_by_day.get(day_of_week(local.date()))
    if hours is None:
        return False
    minute_of_day = local.hour * 60
    return hours.start_min <= minute_of_day and minute_of_day + SLOT_MINUTES <= hours.end_min


def _overlaps_any(slot_start: datetime, ranges: Sequence[tuple[datetime, datetime]]) -> bool:
    slot_end = slot_start + HOUR
    return any(start_at < slot_end and slot_start < end_at for start_at, end_at in ranges)


def _utc_hours_of_local_dates(from_date: date, days: int) -> Iterable[datetime]:
    """Every hour from local midnight of from_date up to local midnight of from_date + days."""
    moment = local_midnight(from_date)
    end = local_midnight(from_date + timedelta(days=days))
    while moment < end:
        yield moment
        moment += HOUR


def free_slots(
    weekly: Iterable[DayHours],
    exceptions: Iterable[tuple[datetime, datetime]],
    locked_starts: Iterable[datetime],
    from_date: date,
    days: int,
    now: datetime,
) -> list[datetime]:
    """Free hourly slot starts (aware UTC, ascending, unique) on local dates [from_date, from_date + days).

    `exceptions` are (start_at, end_at) pairs such as `Unavailability`; a slot
    is taken out when any of them overlaps its hour. A slot starting at or
    before `now` is not free.
    """
    hours_by_day = {hours.day_of_week: hours for hours in weekly}
    ranges = [(start_at, end_at) for start_at, end_at in exceptions]
    locked = {moment.astimezone(UTC) for moment in locked_starts}
    return [
        slot_start
        for slot_start in _utc_hours_of_local_dates(from_date, days)
        if slot_start > now
        and _within_weekly_hours(slot_start, hours_by_day)
        and slot_start not in locked
        and not _overlaps_any(slot_start, ranges)
    ]


def is_slot_free(
    weekly: Iterable[DayHours],
    exceptions: Iterable[tuple[datetime, datetime]],
    locked_starts: Iterable[datetime],
    slot_start: datetime,
    now: datetime,
) -> bool:
    slot_start = slot_start.astimezone(UTC)
    local_day = slot_start.astimezone(CASABLANCA).date()
    return slot_start in free_slots(weekly, exceptions, locked_starts, local_day, 1, now)
