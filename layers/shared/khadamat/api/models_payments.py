"""Request bodies of the monetization endpoints (SPEC §12)."""

from __future__ import annotations

from pydantic import Field

from khadamat.api.schemas import ApiModel


class SubscriptionCheckoutRequest(ApiModel):
    plan: str = Field(min_length=1, max_length=64)


class BoostCheckoutRequest(ApiModel):
    category_id: str = Field(min_length=1, max_length=32)
