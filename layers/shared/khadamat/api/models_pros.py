"""Request bodies of the pro endpoints (SPEC §4). Rules across fields live in domain.pros/slots."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictInt

from khadamat.api.schemas import ApiModel
from khadamat.domain.reference import CATEGORY_IDS


class ProProfileRequest(ApiModel):
    bio: str | None = Field(default=None, max_length=1000)
    whatsapp: str | None = Field(default=None, max_length=32)

    def changes(self) -> dict:
        """Only the fields the pro sent (null clears)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class ServiceRequest(ApiModel):
    category_id: str = Field(max_length=32)
    pricing_type: str | None = Field(default=None, max_length=16)
    min_price_mad: StrictInt | None = None
    max_price_mad: StrictInt | None = None
    fixed_price_mad: StrictInt | None = None


class ServicesRequest(ApiModel):
    services: list[ServiceRequest] = Field(max_length=len(CATEGORY_IDS))


class WeeklyHoursRequest(ApiModel):
    # each day is checked by domain.slots.validate_weekly (its messages name the field)
    days: list[Any] = Field(max_length=7)


class ExceptionRequest(ApiModel):
    start_at: str = Field(min_length=1, max_length=64)
    end_at: str = Field(min_length=1, max_length=64)
    reason: str | None = Field(default=None, max_length=500)


class ReviewReplyRequest(ApiModel):
    text: str = Field(min_length=1, max_length=1000)


class PhotoUploadRequest(ApiModel):
    content_type: str = Field(max_length=64)
