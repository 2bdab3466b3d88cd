"""Business metrics (CloudWatch, Powertools EMF; namespace Khadamat, dimension service): the
booking funnel and the operational signals the alarms and the dashboard read (template.yaml
"operations", docs/operations.md).

Each funnel metric is emitted once per transition, just after the write that commits it; the
handler's ``metrics.log_metrics`` (khadamat.observability) flushes them with the invocation.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from khadamat.observability import logger, metrics

BOOKING_CREATED = "BookingCreated"
BOOKING_CONFIRMED = "BookingConfirmed"
BOOKING_DECLINED = "BookingDeclined"
BOOKING_EXPIRED = "BookingExpired"
BOOKING_CANCELLED = "BookingCancelled"
BOOKING_COMPLETED = "BookingCompleted"
STRIPE_WEBHOOK_FAILED = "StripeWebhookFailed"
OUTBOX_BACKLOG_AGE = "OutboxOldestPendingAgeSeconds"
FOLLOW_UP_BACKLOG_AGE = "FollowUpOldestPendingAgeSeconds"


def count(name: str, value: int = 1) -> None:
    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def transition(name: str, booking_id: str) -> None:
    """A booking transition just committed: its funnel metric and one log record."""
    count(name)
    logger.info("booking transition", extra={"transition": name, "bookingId": booking_id})


def backlog_age(name: str, seconds: float) -> None:
    """Age of the oldest item still pending (0 when none): the alarm fires on a stuck queue."""
    metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=max(0.0, seconds))
