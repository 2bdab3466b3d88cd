"""Request bodies of the monetization endpoints (SPEC §12)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from khadamat.api.schemas import ApiModel


class SubscriptionCheckoutRequest(ApiModel):
    plan: str = Field(min_length=1, max_length=64)


class BoostCheckoutRequest(ApiModel):
    category_id: str = Field(min_length=1, max_length=32)


class DevProStateRequest(ApiModel):
    """Local stage only (POST /_dev/pros/{proId}/state)."""

    kyc_status: Literal["NOT_SUBMITTED", "PENDING", "APPROVED", "REJECTED"] | None = None
    category_ids: list[Annotated[str, StringConstraints(max_length=32)]] | None = Field(default=None, max_length=3)


# ---------------------------------------------------------------- responses (SPEC §12)
class PremiumCheckout(ApiModel):
    checkout_url: str
    session_id: str
    price_mad: int
    intro_discount_mad: int


class BoostCheckout(ApiModel):
    checkout_url: str
    session_id: str
    price_mad: int


class PremiumSubscription(ApiModel):
    status: str
    plan: str
    current_period_end: str | None
    commitment_ends_at: str | None


class ActiveBoost(ApiModel):
    category_id: str
    starts_at: str
    ends_at: str


class SubscriptionView(ApiModel):
    premium: PremiumSubscription | None
    boosts: list[ActiveBoost]


class WebhookReceipt(ApiModel):
    received: bool
    event_id: str
    outcome: str


# local stage only
class DeliveredEvent(ApiModel):
    event_id: str
    type: str
    outcome: str


class LocalCheckoutCompleted(ApiModel):
    session_id: str
    delivered: list[DeliveredEvent]


class LocalCheckoutPage(ApiModel):
    session_id: str
    kind: str
    target: str
    status: str | None
    complete: str


class DevProState(ApiModel):
    pro_id: str
    kyc_status: str | None
    category_ids: list[str] | None
