"""Pure report rules (SPEC §8): dispute window, priority, transitions, attachments, order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from khadamat.domain import reports
from khadamat.domain.errors import Conflict, Unprocessable
from khadamat.domain.reports import Priority

DONE = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("status,now,expected", [
    ("COMPLETED", DONE, True),
    ("COMPLETED", DONE + timedelta(hours=48), True),
    ("COMPLETED", DONE + timedelta(hours=48, seconds=1), False),
    ("CONFIRMED", DONE, False),
    ("CANCELLED_BY_PRO", DONE, False),
])
def test_dispute_window_is_48h_after_completion(status, now, expected):
    assert reports.is_within_dispute_window(status, DONE, now) is expected
    assert reports.priority_for(expected) == (Priority.HIGH if expected else Priority.NORMAL)


def test_completed_without_completion_time_is_outside_the_window():
    assert not reports.is_within_dispute_window("COMPLETED", None, DONE)


@pytest.mark.parametrize("current,target", [("OPEN", "IN_REVIEW"), ("OPEN", "RESOLVED"),
                                            ("OPEN", "REJECTED"), ("IN_REVIEW", "RESOLVED"),
                                            ("IN_REVIEW", "REJECTED")])
def test_allowed_transitions(current, target):
    reports.check_transition(current, target)


@pytest.mark.parametrize("current,target", [("IN_REVIEW", "OPEN"), ("RESOLVED", "IN_REVIEW"),
                                            ("REJECTED", "RESOLVED"), ("OPEN", "OPEN"),
                                            ("IN_REVIEW", "IN_REVIEW"), ("RESOLVED", "OPEN")])
def test_other_transitions_are_409(current, target):
    with pytest.raises(Conflict) as refused:
        reports.check_transition(current, target)
    assert refused.value.code == "INVALID_TRANSITION"


def test_unknown_target_status_is_422():
    with pytest.raises(Unprocessable):
        reports.check_transition("OPEN", "CLOSED")


@pytest.mark.parametrize("target,sources", [("OPEN", ()), ("IN_REVIEW", ("OPEN",)),
                                            ("RESOLVED", ("OPEN", "IN_REVIEW")),
                                            ("REJECTED", ("OPEN", "IN_REVIEW"))])
def test_the_write_condition_lists_exactly_the_statuses_a_target_is_reached_from(target, sources):
    # the PATCH's conditional write accepts these current statuses and no other
    assert reports.sources_of(reports.parse_status(target)) == sources


@pytest.mark.parametrize("attachments", [
    ["http://example.ma/a.jpg"], ["ftp://example.ma/a"], ["https://"], ["javascript:alert(1)"],
    ["https://example.ma/" + "a" * 500], ["https://example.ma/a"] * 6, ["https://ex ample.ma/"],
])
def test_bad_attachments_are_422(attachments):
    with pytest.raises(Unprocessable):
        reports.check_attachments(attachments)


def test_up_to_five_https_urls_are_fine():
    reports.check_attachments(["https://cdn.example.ma/photo.jpg?x=1"] * 5)
    reports.check_attachments([])


def test_index_order_is_high_first_then_oldest():
    keys = [reports.index_sort_key(Priority.NORMAL, "2026-01-01T00:00:00.000000Z", "a"),
            reports.index_sort_key(Priority.HIGH, "2026-03-01T00:00:00.000000Z", "b"),
            reports.index_sort_key(Priority.HIGH, "2026-02-01T00:00:00.000000Z", "c")]
    assert [k.rsplit("#", 1)[1] for k in sorted(keys)] == ["c", "b", "a"]
