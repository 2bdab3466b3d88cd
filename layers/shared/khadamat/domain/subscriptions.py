"""Premium subscription state driven by Stripe events (SPEC §12). Pure: `now` is passed in.

Stripe may deliver events late, twice or out of order. The state of one subscription
only moves forward: its paid period end only grows, and ENDED is terminal (a paid
invoice arriving after `customer.subscription.deleted` never resurrects Premium).
A status said by Stripe is dated by its event's `created` (`stripe_status_at`): an
older event never overrides the status a newer one set (or our own cancel).
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
    stripe_status_at: datetime | None = None  # when the status was last said (Stripe event, cancel)


# Stripe subscription statuses (customer.subscription.updated) and what they mean here
STRIPE_ENDED = frozenset({"canceled", "incomplete_expired"})
STRIPE_UNPAID = frozenset({"past_due", "unpaid"})
STRIPE_RUNNING = frozenset({"active", "trialing"})


def _older(state: Subscription, event_at: datetime | None) -> bool:
    """The event is older than the status we hold (same second: not older, it applies)."""
    return (event_at is not None and state.stripe_status_at is not None
            and event_at < state.stripe_status_at)


def _dated(state: Subscription, event_at: datetime | None) -> datetime | None:
    if event_at is None or _older(state, event_at):
        return state.stripe_status_at
    return event_at


def new_subscription(subscription_id: str, pro_id: str, plan: Plan) -> Subscription:
    return Subscription(subscription_id, pro_id, Plan(plan), SubscriptionStatus.PENDING)


def on_invoice_paid(state: Subscription, period_start: datetime, period_end: datetime,
                    event_at: datetime | None = None) -> Subscription | None:
    """The paid period extends Premium; None when the event changes nothing (ended, or stale).

    Money received always extends the period; the status moves to ACTIVE only when no newer
    status was said meanwhile (a CANCELING subscription stays CANCELING).
    """
    if state.status == SubscriptionStatus.ENDED:
        return None
    if state.current_period_end is not None and period_end <= state.current_period_end:
        return None
    started_at = state.started_at or period_start
    keep = state.status == SubscriptionStatus.CANCELING or (
        _older(state, event_at) and state.status != SubscriptionStatus.PENDING)
    return replace(state, status=state.status if keep else SubscriptionStatus.ACTIVE,
                   started_at=started_at, current_period_end=period_end,
                   commitment_ends_at=commitment_ends_at(started_at, state.plan),
                   stripe_status_at=_dated(state, event_at))


def on_payment_failed(state: Subscription, event_at: datetime | None = None) -> Subscription | None:
    """Stripe retries the renewal; Premium is not extended but runs to the period already paid."""
    if state.status in (SubscriptionStatus.ENDED, SubscriptionStatus.PAST_DUE):
        return None
    if _older(state, event_at):
        return None
    return replace(state, status=SubscriptionStatus.PAST_DUE,
                   stripe_status_at=_dated(state, event_at))


def on_subscription_updated(state: Subscription, stripe_status: str, cancel_scheduled: bool,
                            event_at: datetime, ended_at: datetime | None) -> Subscription | None:
    """`customer.subscription.updated`: the status Stripe holds now (docs/payments.md).

    Never extends Premium (only a paid invoice does). Stripe `canceled`/`incomplete_expired`
    → ENDED; `past_due`/`unpaid` → PAST_DUE; `active`/`trialing` → CANCELING when a cancel is
    scheduled (`cancel_at_period_end` or `cancel_at`), else ACTIVE (PENDING until the first
    paid invoice). Other statuses (`incomplete`, `paused`) change nothing. An event older
    than the status held changes nothing.
    """
    if state.status == SubscriptionStatus.ENDED or _older(state, event_at):
        return None
    if stripe_status in STRIPE_ENDED:
        return on_subscription_deleted(state, ended_at or event_at)
    if stripe_status in STRIPE_UNPAID:
        status = SubscriptionStatus.PAST_DUE
    elif stripe_status in STRIPE_RUNNING and cancel_scheduled:
        status = SubscriptionStatus.CANCELING
    elif stripe_status in STRIPE_RUNNING:
        status = (SubscriptionStatus.PENDING if state.current_period_end is None
                  else SubscriptionStatus.ACTIVE)
    else:
        return None
    return replace(state, status=status, stripe_status_at=event_at)


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


def on_cancel_requested(state: Subscription, now: datetime | None = None) -> Subscription:
    """Our own cancel: dated `now`, so an older Stripe snapshot arriving late cannot undo it."""
    return replace(state, status=SubscriptionStatus.CANCELING,
                   stripe_status_at=now or state.stripe_status_at)


def gives_premium(state: Subscription, now: datetime) -> bool:
    until = premium_until(state)
    return until is not None and now < until
