"""Pure rules of SPEC §19: proposal expiry and answers, reminder times."""

from datetime import UTC, datetime, timedelta

import pytest

from khadamat.domain.booking_rules import Actor, Status
from khadamat.domain.errors import Conflict, Forbidden, Unprocessable
from khadamat.domain.reschedule import (Proposal, check_can_answer, check_can_propose, is_open,
                                        next_reminder, proposal_expires_at, reminder_is_stale)

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)
H = timedelta(hours=1)


def test_a_proposal_lapses_after_twelve_hours_or_at_the_earlier_slot():
    assert proposal_expires_at(NOW, NOW + 48 * H, NOW + 72 * H) == NOW + 12 * H
    assert proposal_expires_at(NOW, NOW + 5 * H, NOW + 72 * H) == NOW + 5 * H
    assert proposal_expires_at(NOW, NOW + 48 * H, NOW + 3 * H) == NOW + 3 * H


@pytest.mark.parametrize("status,actor,slot,new,error", [
    (Status.PENDING, Actor.CLIENT, NOW + 5 * H, NOW + 6 * H, Conflict),
    (Status.CONFIRMED, Actor.CLIENT, NOW, NOW + 6 * H, Conflict),          # started
    (Status.CONFIRMED, None, NOW + 5 * H, NOW + 6 * H, Forbidden),          # an admin
    (Status.CONFIRMED, Actor.PRO, NOW + 5 * H, NOW + 5 * H, Unprocessable),  # same hour
    (Status.CONFIRMED, Actor.PRO, NOW + 5 * H, NOW - H, Unprocessable),      # past
    (Status.CONFIRMED, Actor.PRO, NOW + 5 * H, NOW + 6 * H + timedelta(minutes=30), Unprocessable)])
def test_only_a_party_of_a_confirmed_booking_not_started_proposes_a_future_hour(status, actor, slot, new, error):
    with pytest.raises(error):
        check_can_propose(status, actor, slot, new, NOW)


def test_the_other_party_accepts_either_declines_and_a_lapsed_proposal_is_gone():
    proposal = Proposal("p1", NOW + 30 * H, Actor.CLIENT, NOW + 2 * H)
    assert check_can_answer(Status.CONFIRMED, proposal, Actor.PRO, NOW, accepting=True) is proposal
    assert check_can_answer(Status.CONFIRMED, proposal, Actor.CLIENT, NOW, accepting=False) is proposal
    with pytest.raises(Forbidden):
        check_can_answer(Status.CONFIRMED, proposal, Actor.CLIENT, NOW, accepting=True)
    with pytest.raises(Conflict):
        check_can_answer(Status.CONFIRMED, proposal, Actor.PRO, NOW + 2 * H, accepting=True)
    with pytest.raises(Conflict):
        check_can_answer(Status.CANCELLED_BY_CLIENT, proposal, Actor.PRO, NOW, accepting=True)
    assert not is_open(None, NOW) and is_open(proposal, NOW)


def test_only_reminders_still_ahead_are_planned():
    slot = NOW + 30 * H
    assert next_reminder(slot, NOW) == ("H24", slot - 24 * H)
    assert next_reminder(slot, slot - 24 * H) == ("H2", slot - 2 * H)  # after the 24 h one: the 2 h one
    assert next_reminder(NOW + 10 * H, NOW) == ("H2", NOW + 8 * H)     # confirmed 10 h ahead
    assert next_reminder(NOW + H, NOW) is None


def test_a_reminder_more_than_an_hour_late_is_stale():
    assert not reminder_is_stale(NOW, NOW + H)
    assert reminder_is_stale(NOW, NOW + H + timedelta(seconds=1))
