"""Premium and Boost prices and periods (SPEC §12). Money is integer MAD; Stripe takes centimes."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from khadamat.domain.errors import Conflict, Unprocessable
from khadamat.domain.timeutil import CASABLANCA

CENTIMES_PER_MAD = 100
INTRO_DISCOUNT_MAD = 50
BOOST_PRICE_MAD = 200
BOOST_DURATION = timedelta(days=7)
COMMITMENT_MONTHS = 12


class Plan(StrEnum):
    PREMIUM_MONTHLY_NO_COMMIT = "PREMIUM_MONTHLY_NO_COMMIT"
    PREMIUM_ANNUAL_COMMIT = "PREMIUM_ANNUAL_COMMIT"


MONTHLY_PRICE_MAD = {Plan.PREMIUM_MONTHLY_NO_COMMIT: 350, Plan.PREMIUM_ANNUAL_COMMIT: 300}


class PremiumQuote(NamedTuple):
    price_mad: int
    intro_discount_mad: int
    first_charge_centimes: int
    recurring_centimes: int


def to_centimes(amount_mad: int) -> int:
    return amount_mad * CENTIMES_PER_MAD


def parse_plan(value: object) -> Plan:
    if not isinstance(value, str) or value not in MONTHLY_PRICE_MAD:
        allowed = ", ".join(MONTHLY_PRICE_MAD)
        raise Unprocessable(f"plan must be one of {allowed}", code="VALIDATION_ERROR")
    return Plan(value)


def premium_quote(plan: Plan, has_subscribed_before: bool) -> PremiumQuote:
    """The intro discount applies to the first month only, for a pro who never subscribed."""
    price_mad = MONTHLY_PRICE_MAD[Plan(plan)]
    discount_mad = 0 if has_subscribed_before else INTRO_DISCOUNT_MAD
    return PremiumQuote(
        price_mad=price_mad,
        intro_discount_mad=discount_mad,
        first_charge_centimes=to_centimes(price_mad - discount_mad),
        recurring_centimes=to_centimes(price_mad),
    )


def boost_price_centimes() -> int:
    return to_centimes(BOOST_PRICE_MAD)


def add_calendar_months(moment: datetime, months: int) -> datetime:
    """Same local wall time `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    local = moment.astimezone(CASABLANCA)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def commitment_ends_at(start: datetime, plan: Plan) -> datetime | None:
    """End of the 12 calendar months (Casablanca calendar) of an annual plan; None without commitment."""
    if Plan(plan) != Plan.PREMIUM_ANNUAL_COMMIT:
        return None
    return add_calendar_months(start, COMMITMENT_MONTHS)


def boost_window(start: datetime) -> tuple[datetime, datetime]:
    """A rolling 7 x 24 hours from the purchase."""
    start = start.astimezone(UTC)
    return start, start + BOOST_DURATION


def check_not_cumulable(premium_active: bool, boost_active: bool) -> None:
    """Raise when the pro would hold Premium and a Boost at once.

    Pass the state after the purchase: buying a Boost is
    `check_not_cumulable(premium_active=<has Premium>, boost_active=True)`,
    buying Premium is `check_not_cumulable(premium_active=True, boost_active=<has a Boost>)`.
    """
    if premium_active and boost_active:
        raise Conflict("Premium and Boost cannot be combined", code="NOT_CUMULABLE")


def is_active(ends_at: datetime | None, now: datetime, starts_at: datetime | None = None) -> bool:
    """Active in [starts_at, ends_at)."""
    if ends_at is None or now >= ends_at:
        return False
    return starts_at is None or starts_at <= now
