"""Request bodies of the booking endpoints (SPEC §6)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from khadamat.api.schemas import ApiModel


class CreateBookingRequest(ApiModel):
    pro_id: str = Field(min_length=1, max_length=64)
    category_id: str = Field(min_length=1, max_length=32)
    time_slot: str = Field(min_length=1, max_length=64)


class ConfirmRequest(ApiModel):
    estimated_duration: Literal["H1", "H2", "H3", "H4", "H8"] | None = None


class ReasonRequest(ApiModel):
    reason: str | None = Field(default=None, max_length=500)


class ReviewRequest(ApiModel):
    rating: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(default=None, max_length=2000)
