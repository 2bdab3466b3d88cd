"""Premium and Boost prices, commitments and windows (SPEC §12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from khadamat.domain.errors import Conflict, Unprocessable
from khadamat.domain.pricing import (
    Plan,
    PremiumQuote,
    add_calendar_months,
    boost_price_centimes,
    boost_window,
    check_not_cumulable,
    commitment_ends_at,
    is_active,
    parse_plan,
    premium_quote,
)
from khadamat.domain.timeutil import CASABLANCA


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CASABLANCA)


@pytest.mark.parametrize(
    ("plan", "subscribed_before", "expected"),
    [
        (Plan.PREMIUM_MONTHLY_NO_COMMIT, False, PremiumQuote(350, 50, 30_000, 35_000)),
        (Plan.PREMIUM_MONTHLY_NO_COMMIT, True, PremiumQuote(350, 0, 35_000, 35_000)),
        (Plan.PREMIUM_ANNUAL_COMMIT, False, PremiumQuote(300, 50, 25_000, 30_000)),
        (Plan.PREMIUM_ANNUAL_COMMIT, True, PremiumQuote(300, 0, 30_000, 30_000)),
    ],
)
def test_given_a_plan_and_history_then_the_quote_matches_the_spec(plan, subscribed_before, expected):
    quote = premium_quote(plan, has_subscribed_before=subscribed_before)
    assert quote == expected
    price_mad, discount_mad, first_centimes, recurring_centimes = quote
    assert first_centimes == (price_mad - discount_mad) * 100


def test_given_the_plan_as_a_string_then_it_is_quoted_too():
    assert premium_quote("PREMIUM_MONTHLY_NO_COMMIT", True).price_mad == 350


def test_boost_costs_200_mad_in_centimes():
    assert boost_price_centimes() == 20_000


def test_given_an_unknown_plan_when_parsed_then_422():
    assert parse_plan("PREMIUM_ANNUAL_COMMIT") is Plan.PREMIUM_ANNUAL_COMMIT
    for value in ("PREMIUM", "", None, 350, [], {"plan": 1}):
        with pytest.raises(Unprocessable) as raised:
            parse_plan(value)
        assert raised.value.code == "VALIDATION_ERROR"


# --- commitment -----------------------------------------------------------------


def test_given_a_monthly_plan_then_no_commitment():
    assert commitment_ends_at(utc(2026, 10, 5), Plan.PREMIUM_MONTHLY_NO_COMMIT) is None


def test_given_an_annual_plan_then_the_commitment_ends_12_calendar_months_later():
    assert commitment_ends_at(utc(2026, 10, 5, 14, 3), Plan.PREMIUM_ANNUAL_COMMIT) == utc(2027, 10, 5, 14, 3)


def test_given_a_start_on_29_february_then_the_commitment_ends_on_28_february():
    assert commitment_ends_at(utc(2028, 2, 29, 12), Plan.PREMIUM_ANNUAL_COMMIT) == utc(2029, 2, 28, 12)


def test_given_a_start_just_after_local_midnight_under_utc_plus_1_then_the_local_calendar_counts():
    # 2026-06-01 00:30+01:00 is still 31 May in UTC; the pro signed on 1 June.
    start = local(2026, 6, 1, 0, 30)
    assert start.astimezone(UTC) == utc(2026, 5, 31, 23, 30)
    assert commitment_ends_at(start, Plan.PREMIUM_ANNUAL_COMMIT) == utc(2027, 6, 1, 0, 30)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (local(2026, 1, 31, 10), 1, local(2026, 2, 28, 10)),
        (local(2027, 12, 31, 10), 2, local(2028, 2, 29, 10)),
        (local(2026, 11, 30, 10), 3, local(2027, 2, 28, 10)),
        (local(2026, 12, 15, 10), 1, local(2027, 1, 15, 10)),
        (local(2026, 10, 31, 10), 12, local(2027, 10, 31, 10)),
        # Same local wall time across an offset change: 10:00+01:00 → 10:00+00:00.
        (local(2026, 8, 20, 10), 1, utc(2026, 9, 20, 10)),
    ],
)
def test_add_calendar_months_keeps_local_wall_time_and_clamps_to_shorter_months(start, months, expected):
    assert add_calendar_months(start, months) == expected


# --- boost ---------------------------------------------------------------------


def test_given_a_boost_bought_before_the_switch_then_it_lasts_exactly_168_hours():
    start = local(2026, 9, 15, 10)
    begins, ends = boost_window(start)
    assert begins == utc(2026, 9, 15, 9)
    assert ends - begins == timedelta(hours=168)
    assert ends == utc(2026, 9, 22, 9)


@pytest.mark.parametrize(
    ("premium_active", "boost_active", "conflict"),
    [(False, False, False), (True, False, False), (False, True, False), (True, True, True)],
)
def test_premium_and_boost_are_not_cumulable(premium_active, boost_active, conflict):
    if conflict:
        with pytest.raises(Conflict) as raised:
            check_not_cumulable(premium_active, boost_active)
        assert (raised.value.status, raised.value.code) == (409, "NOT_CUMULABLE")
    else:
        check_not_cumulable(premium_active, boost_active)


def test_is_active_in_its_window_with_the_end_excluded():
    ends = utc(2026, 10, 12, 10)
    assert is_active(ends, ends - timedelta(microseconds=1))
    assert not is_active(ends, ends)
    assert not is_active(None, ends)
    starts = utc(2026, 10, 5, 10)
    assert is_active(ends, starts, starts_at=starts)
    assert not is_active(ends, starts - timedelta(seconds=1), starts_at=starts)
