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
