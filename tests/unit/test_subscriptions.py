"""Subscription state under late, duplicated and out-of-order Stripe events (pure rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from khadamat.domain.errors import Conflict
from khadamat.domain.pricing import Plan
from khadamat.domain.subscriptions import (SubscriptionStatus, check_can_cancel, gives_premium,
                                           new_subscription, on_cancel_requested,
                                           on_invoice_paid, on_payment_failed,
                                           on_subscription_deleted,
                                           on_subscription_updated, premium_until,
                                           pro_premium_until)

JAN = datetime(2030, 1, 15, 10, tzinfo=UTC)
FEB = datetime(2030, 2, 15, 10, tzinfo=UTC)
MAR = datetime(2030, 3, 15, 10, tzinfo=UTC)


def paid(plan=Plan.PREMIUM_MONTHLY_NO_COMMIT, start=JAN, end=FEB):
    return on_invoice_paid(new_subscription("sub_1", "pro_1", plan), start, end)


def test_given_a_first_paid_invoice_then_active_until_the_period_end():
    state = paid()
    assert state.status == SubscriptionStatus.ACTIVE and state.started_at == JAN
    assert premium_until(state) == FEB and state.commitment_ends_at is None
    assert gives_premium(state, FEB.replace(hour=9)) and not gives_premium(state, FEB)


def test_given_an_annual_plan_then_the_commitment_runs_12_months_from_the_first_period():
    state = on_invoice_paid(paid(Plan.PREMIUM_ANNUAL_COMMIT), FEB, MAR)
    assert state.started_at == JAN
    assert state.commitment_ends_at == datetime(2031, 1, 15, 10, tzinfo=UTC)


def test_given_a_later_period_then_extended_and_an_older_one_then_no_change():
    extended = on_invoice_paid(paid(), FEB, MAR)
    assert premium_until(extended) == MAR
    assert on_invoice_paid(extended, JAN, FEB) is None
    assert on_invoice_paid(extended, FEB, MAR) is None  # the same period twice


def test_given_an_ended_subscription_then_a_late_paid_invoice_never_resurrects_it():
    ended = on_subscription_deleted(new_subscription("sub_1", "pro_1", Plan.PREMIUM_ANNUAL_COMMIT),
                                    JAN)
    assert ended.status == SubscriptionStatus.ENDED
    assert on_invoice_paid(ended, JAN, FEB) is None
    assert premium_until(ended) is None
    assert on_subscription_deleted(ended, FEB) is None


def test_given_deleted_mid_period_then_premium_ends_at_the_deletion():
    ended = on_subscription_deleted(paid(), datetime(2030, 2, 1, tzinfo=UTC))
    assert premium_until(ended) == datetime(2030, 2, 1, tzinfo=UTC)


def test_given_a_failed_renewal_then_past_due_and_not_extended():
    failed = on_payment_failed(paid())
    assert failed.status == SubscriptionStatus.PAST_DUE and premium_until(failed) == FEB
    assert on_payment_failed(failed) is None
    recovered = on_invoice_paid(failed, FEB, MAR)
    assert recovered.status == SubscriptionStatus.ACTIVE and premium_until(recovered) == MAR


def test_given_a_cancel_then_a_later_renewal_keeps_it_canceling():
    canceling = on_cancel_requested(paid())
    assert on_invoice_paid(canceling, FEB, MAR).status == SubscriptionStatus.CANCELING


def test_given_the_annual_commitment_then_cancel_is_409_until_it_ends():
    state = paid(Plan.PREMIUM_ANNUAL_COMMIT)
    with pytest.raises(Conflict) as error:
        check_can_cancel(state, FEB)
    assert error.value.code == "COMMITMENT_ACTIVE"
    check_can_cancel(state, state.commitment_ends_at)
    check_can_cancel(paid(), JAN)


def test_pro_premium_until_follows_the_subscription_but_an_old_end_never_cuts_a_newer_one():
    before, after = paid(), on_invoice_paid(paid(), FEB, MAR)
    assert pro_premium_until(None, new_subscription("sub_1", "pro_1", Plan.PREMIUM_MONTHLY_NO_COMMIT),
                             before) == FEB
    assert pro_premium_until(FEB, before, after) == MAR
    ended = on_subscription_deleted(before, datetime(2030, 2, 1, tzinfo=UTC))
    assert pro_premium_until(FEB, before, ended) == datetime(2030, 2, 1, tzinfo=UTC)
    # another subscription pushed premium_until to April: this one's end leaves it alone
    april = datetime(2030, 4, 15, tzinfo=UTC)
    assert pro_premium_until(april, before, ended) == april


def test_new_subscription_is_pending_without_premium():
    state = new_subscription("sub_1", "pro_1", Plan.PREMIUM_MONTHLY_NO_COMMIT)
    assert state.status == SubscriptionStatus.PENDING and premium_until(state) is None
    assert replace(state) == state


# ---------------------------------------------------------------- customer.subscription.updated
T1 = datetime(2030, 1, 20, 10, tzinfo=UTC)
T2 = datetime(2030, 1, 25, 10, tzinfo=UTC)


def test_given_a_cancel_scheduled_on_stripe_then_canceling_to_the_paid_period_end():
    canceling = on_subscription_updated(paid(), "active", True, T1, None)
    assert canceling.status == SubscriptionStatus.CANCELING and premium_until(canceling) == FEB
    # the cancel undone on Stripe later: active again, the period unchanged
    reactivated = on_subscription_updated(canceling, "active", False, T2, None)
    assert reactivated.status == SubscriptionStatus.ACTIVE and premium_until(reactivated) == FEB


def test_given_an_older_snapshot_arriving_late_then_it_changes_nothing():
    newer = on_subscription_updated(paid(), "active", False, T2, None)
    assert on_subscription_updated(newer, "active", True, T1, None) is None
    assert on_subscription_updated(newer, "past_due", False, T1, None) is None
    assert on_payment_failed(newer, T1) is None
    # the same second is not older: it applies
    assert on_subscription_updated(newer, "active", True, T2, None).status == SubscriptionStatus.CANCELING


def test_given_our_own_cancel_then_an_older_stripe_snapshot_cannot_undo_it():
    canceling = on_cancel_requested(paid(), T2)
    assert on_subscription_updated(canceling, "active", False, T1, None) is None


def test_given_stripe_statuses_then_their_meaning_here():
    assert on_subscription_updated(paid(), "past_due", False, T1, None).status == SubscriptionStatus.PAST_DUE
    assert on_subscription_updated(paid(), "unpaid", False, T1, None).status == SubscriptionStatus.PAST_DUE
    ended = on_subscription_updated(paid(), "canceled", False, T1, T1)
    assert ended.status == SubscriptionStatus.ENDED and premium_until(ended) == T1
    assert on_subscription_updated(ended, "active", False, T2, None) is None  # ENDED is terminal
    assert on_subscription_updated(paid(), "incomplete", False, T1, None) is None
    # active before any paid invoice: still PENDING, no Premium
    pending = new_subscription("sub_1", "pro_1", Plan.PREMIUM_MONTHLY_NO_COMMIT)
    assert on_subscription_updated(pending, "active", False, T1, None).status == SubscriptionStatus.PENDING


def test_given_a_newer_failure_then_a_late_paid_invoice_extends_but_keeps_past_due():
    failed = on_payment_failed(paid(), T2)
    late = on_invoice_paid(failed, FEB, MAR, event_at=T1)
    assert late.status == SubscriptionStatus.PAST_DUE and premium_until(late) == MAR
    recovered = on_invoice_paid(failed, FEB, MAR, event_at=T2)
    assert recovered.status == SubscriptionStatus.ACTIVE
