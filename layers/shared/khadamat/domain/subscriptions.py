"""Premium subscription state driven by Stripe events (SPEC §12). Pure: `now` is passed in.

Stripe may deliver events late, twice or out of order. The state of one subscription
only moves forward: its paid period end only grows, and ENDED is terminal (a paid
invoice arriving after `customer.subscription.deleted` never resurrects Premium).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from khadamat.domain.errors import Conflict
from khadamat.domain.pricing import Plan, commitment_ends_at


class SubscriptionStatus(StrEnum):
    PENDING = "PENDING"  # checkout completed, first invoice not seen yet
    ACTIVE = "ACTIVE"
    PAST_DUE = "PAST_DUE"  # a renewal failed: Premium runs to the paid period end, no further
    CANCELING = "CANCELING"  # cancelled by the pro: ends at the paid period end
    ENDED = "ENDED"


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    pro_id: str
    plan: Plan
    status: SubscriptionStatus
    started_at: datetime | None = None
    current_period_end: datetime | None = None
    commitment_ends_at: datetime | None = None
    ended_at: datetime | None = None


def new_subscription(subscription_id: str, pro_id: str, plan: Plan) -> Subscription:
    return Subscription(subscription_id, pro_id, Plan(plan), SubscriptionStatus.PENDING)


def on_invoice_paid(state: Subscription, period_start: datetime,
                    period_end: datetime) -> Subscription | None:
    """The paid period extends Premium; None when the event changes nothing (ended, or stale)."""
    if state.status == SubscriptionStatus.ENDED:
        return None
    if state.current_period_end is not None and period_end <= state.current_period_end:
        return None
    started_at = state.started_at or period_start
    status = (SubscriptionStatus.CANCELING if state.status == SubscriptionStatus.CANCELING
              else SubscriptionStatus.ACTIVE)
    return replace(state, status=status, started_at=started_at, current_period_end=period_end,
                   commitment_ends_at=commitment_ends_at(started_at, state.plan))


def on_payment_failed(state: Subscription) -> Subscription | None:
    """Stripe retries the renewal; Premium is not extended but runs to the period already paid."""
    if state.status in (SubscriptionStatus.ENDED, SubscriptionStatus.PAST_DUE):
        return None
    return replace(state, status=SubscriptionStatus.PAST_DUE)


def on_subscription_deleted(state: Subscription, ended_at: datetime) -> Subscription | None:
    if state.status == SubscriptionStatus.ENDED:
        return None
    return replace(state, status=SubscriptionStatus.ENDED, ended_at=ended_at)


def premium_until(state: Subscription) -> datetime | None:
    """Until when this subscription gives Premium (judged against the clock at read time)."""
    if state.current_period_end is None:
        return None
    if state.status == SubscriptionStatus.ENDED:
        return min(state.current_period_end, state.ended_at or state.current_period_end)
    return state.current_period_end


def pro_premium_until(current: datetime | None, before: Subscription,
                      after: Subscription) -> datetime | None:
    """The pro's `premium_until` after one subscription moved from `before` to `after`.

    Another (newer) subscription may have pushed `premium_until` past this one's period: an
    end of this subscription then never cuts it short.
    """
    old_until, new_until = premium_until(before), premium_until(after)
    if new_until is None:
        return current
    if current is None or (old_until is not None and current <= old_until):
        return new_until
    return max(current, new_until)


def check_can_cancel(state: Subscription, now: datetime) -> None:
    """A 12-month commitment cannot be cancelled before its end (409 COMMITMENT_ACTIVE)."""
    if state.commitment_ends_at is not None and now < state.commitment_ends_at:
        raise Conflict("the 12-month commitment of this plan is still running",
                       code="COMMITMENT_ACTIVE")


def on_cancel_requested(state: Subscription) -> Subscription:
    return replace(state, status=SubscriptionStatus.CANCELING)


def gives_premium(state: Subscription, now: datetime) -> bool:
    until = premium_until(state)
    return until is not None and now < until
