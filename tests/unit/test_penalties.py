"""Client late-cancel tiers and pro suspension (SPEC §6 Penalties)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from khadamat.domain.penalties import (
    ClientSanction,
    client_late_cancel_sanction,
    count_in_window,
    is_in_cooldown,
    pro_should_be_suspended,
)

NOW = datetime(2026, 10, 5, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("late_cancels", "expected"),
    [
        (1, ClientSanction(tier=0, cooldown_until=None, ban=False)),
        (2, ClientSanction(tier=1, cooldown_until=NOW + timedelta(hours=48), ban=False)),
        (3, ClientSanction(tier=2, cooldown_until=NOW + timedelta(days=7), ban=False)),
        (4, ClientSanction(tier=3, cooldown_until=NOW + timedelta(days=30), ban=False)),
        (5, ClientSanction(tier=4, cooldown_until=None, ban=True)),
        (6, ClientSanction(tier=4, cooldown_until=None, ban=True)),
        (40, ClientSanction(tier=4, cooldown_until=None, ban=True)),
    ],
)
def test_given_n_late_cancels_in_30_days_then_the_spec_tier_applies(late_cancels, expected):
    assert client_late_cancel_sanction(late_cancels, NOW) == expected


def test_given_a_count_that_omits_the_cancel_being_sanctioned_then_rejected():
    with pytest.raises(ValueError):
        client_late_cancel_sanction(0, NOW)


def test_given_a_longer_cooldown_running_when_a_lower_tier_applies_then_the_cooldown_is_kept():
    running = NOW + timedelta(days=20)
    assert client_late_cancel_sanction(2, NOW, running).cooldown_until == running
    assert client_late_cancel_sanction(1, NOW, running).cooldown_until == running


def test_given_a_shorter_cooldown_running_when_a_higher_tier_applies_then_the_cooldown_is_extended():
    running = NOW + timedelta(hours=10)
    assert client_late_cancel_sanction(3, NOW, running).cooldown_until == NOW + timedelta(days=7)


def test_cooldown_is_active_until_its_end_exclusive():
    until = NOW + timedelta(hours=48)
    assert is_in_cooldown(until, NOW)
    assert is_in_cooldown(until, until - timedelta(microseconds=1))
    assert not is_in_cooldown(until, until)
    assert not is_in_cooldown(None, NOW)


def test_count_in_window_counts_the_trailing_30_days_including_now():
    timestamps = [
        NOW,
        NOW - timedelta(days=1),
        NOW - timedelta(days=30) + timedelta(seconds=1),
        NOW - timedelta(days=30),  # exactly 30 days old: no longer counts
        NOW - timedelta(days=45),
        NOW + timedelta(seconds=1),  # in the future: not yet
    ]
    assert count_in_window(timestamps, NOW) == 3
    assert count_in_window(timestamps, NOW, days=60) == 5
    assert count_in_window([], NOW) == 0


@pytest.mark.parametrize(
    ("cancels_30d", "consecutive", "suspended"),
    [
        (1, 1, False),
        (2, 2, False),
        (4, 2, False),
        (3, 3, True),
        (5, 0, True),
        (5, 1, True),
        (4, 0, False),
        (9, 9, True),
    ],
)
def test_given_pro_counters_after_a_cancel_then_suspended_at_3_consecutive_or_5_in_30_days(
    cancels_30d, consecutive, suspended
):
    assert pro_should_be_suspended(cancels_30d, consecutive) is suspended


# ---- the pro's trailing window (issue 15: the same window helper as the client's)
def test_a_pro_cancel_keeps_the_window_s_earlier_cancels_then_adds_itself():
    from khadamat.domain.penalties import pro_cancels_after

    earlier = [NOW - timedelta(days=30), NOW - timedelta(days=29, hours=23), NOW - timedelta(hours=1)]
    # the one exactly 30 days old has left the window (as for the client's late cancels)
    assert pro_cancels_after(earlier, NOW) == [earlier[1], earlier[2], NOW]
    assert len(pro_cancels_after(earlier, NOW)) == count_in_window(earlier, NOW) + 1


def test_a_pro_s_first_cancel_is_a_window_of_one():
    from khadamat.domain.penalties import pro_cancels_after

    assert pro_cancels_after([], NOW) == [NOW]
