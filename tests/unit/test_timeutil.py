"""Time rendering on both sides of Morocco's 2026-09-20 switch to permanent UTC+00."""

from datetime import UTC, datetime

import pytest

from khadamat.domain.timeutil import (CASABLANCA, from_storage, is_hour_aligned, local_midnight,
                                      parse_timestamp, to_local_iso, to_storage)


@pytest.mark.parametrize("utc,rendered", [
    (datetime(2026, 6, 1, 9, tzinfo=UTC), "2026-06-01T10:00:00+01:00"),
    (datetime(2026, 12, 1, 10, tzinfo=UTC), "2026-12-01T10:00:00+00:00"),
    (datetime(2026, 9, 19, 12, tzinfo=UTC), "2026-09-19T13:00:00+01:00"),
    (datetime(2026, 9, 21, 12, tzinfo=UTC), "2026-09-21T12:00:00+00:00"),
])
def test_rendering_uses_the_offset_of_that_instant(utc, rendered):
    assert to_local_iso(utc) == rendered


def test_zone_comes_from_the_pinned_tzdata_package_not_the_host():
    # the host's zone files (IANA 2025b here) still say +01:00 for December 2026
    assert datetime(2026, 12, 1, 10, tzinfo=CASABLANCA).utcoffset().total_seconds() == 0
    assert datetime(2026, 6, 1, 10, tzinfo=CASABLANCA).utcoffset().total_seconds() == 3600


@pytest.mark.parametrize("text,utc", [
    ("2026-12-01T10:00:00", datetime(2026, 12, 1, 10, tzinfo=UTC)),
    ("2026-06-01T10:00:00", datetime(2026, 6, 1, 9, tzinfo=UTC)),
    ("2026-06-01T10:00:00Z", datetime(2026, 6, 1, 10, tzinfo=UTC)),
    ("2026-06-01T10:00:00+02:00", datetime(2026, 6, 1, 8, tzinfo=UTC)),
])
def test_inputs_with_offset_as_given_without_as_casablanca_wall_time(text, utc):
    assert parse_timestamp(text) == utc


@pytest.mark.parametrize("bad", ["", "tomorrow", "2026-13-01T10:00:00", "   "])
def test_unparsable_timestamps_raise_value_error(bad):
    with pytest.raises(ValueError):
        parse_timestamp(bad)


def test_storage_strings_round_trip_and_sort_like_time():
    early, late = datetime(2026, 9, 1, 9, 5, tzinfo=UTC), datetime(2026, 10, 1, 9, tzinfo=UTC)
    assert from_storage(to_storage(early)) == early
    assert to_storage(early) < to_storage(late)


def test_alignment_and_local_midnight():
    assert is_hour_aligned(parse_timestamp("2026-12-01T10:00:00"))
    assert not is_hour_aligned(parse_timestamp("2026-12-01T10:30:00"))
    assert local_midnight(datetime(2026, 6, 1).date()) == datetime(2026, 5, 31, 23, tzinfo=UTC)
    assert local_midnight(datetime(2026, 12, 1).date()) == datetime(2026, 12, 1, tzinfo=UTC)
