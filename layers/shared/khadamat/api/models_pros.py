"""Request bodies of the pro endpoints (SPEC §4). Rules across fields live in domain.pros/slots."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictInt

from khadamat.api.schemas import ApiModel, BoostView, Rating, ServiceView, WeeklyHours
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


# ---------------------------------------------------------------- responses (discovery, the pro's profile)
class ListedPro(ApiModel):
    pro_id: str
    first_name: str | None
    last_name: str | None
    city_id: str | None
    categories: list[str]
    rating: Rating
    badges: list[str]


class ProPage(ApiModel):
    items: list[ListedPro]
    next_token: str | None


class RecommendedPros(ApiModel):
    items: list[ListedPro]


class PhotoView(ApiModel):
    id: str
    url: str
    thumb_url: str


class PublicProfile(ApiModel):
    pro_id: str
    first_name: str | None
    last_name: str | None
    city_id: str | None
    bio: str | None
    categories: list[str]
    services: list[ServiceView]
    rating: Rating
    badges: list[str]
    photos: list[PhotoView]


class PremiumState(ApiModel):
    active: bool
    plan: str | None
    until: str | None


class ProBoost(BoostView):
    active: bool


class OwnProfile(PublicProfile):
    """Every stored service (``categories``: those listed right now), hours, KYC, Premium, Boosts."""
    status: str
    whatsapp: str | None
    weekly_hours: list[WeeklyHours]
    kyc_status: str
    premium: PremiumState
    boosts: list[ProBoost]


class ProSlots(ApiModel):
    slots: list[str]


class ReviewReply(ApiModel):
    text: str
    created_at: str | None


class PublicReview(ApiModel):
    rating: int
    comment: str | None
    client_first_name: str | None
    created_at: str | None
    reply: ReviewReply | None


class ReviewPage(ApiModel):
    items: list[PublicReview]
    next_token: str | None


class ServicesAnswer(ApiModel):
    services: list[ServiceView]
    listed_categories: list[str]


class WeeklyHoursAnswer(ApiModel):
    days: list[WeeklyHours]


class AvailabilityException(ApiModel):
    id: str
    start_at: str
    end_at: str
    reason: str | None
    created_at: str


class Availability(ApiModel):
    weekly: list[WeeklyHours]
    exceptions: list[AvailabilityException]


class DailyFigures(ApiModel):
    date: str
    requests: int
    confirmed: int
    completed: int


class Dashboard(ApiModel):
    requests_today: int
    pending_now: int
    acceptance_rate7d: float | None = Field(alias="acceptanceRate7d")
    median_response_minutes7d: float | None = Field(alias="medianResponseMinutes7d")
    rating: Rating
    completed30d: int = Field(alias="completed30d")
    cancelled_by_pro30d: int = Field(alias="cancelledByPro30d")
    estimated_revenue30d_mad: int = Field(alias="estimatedRevenue30dMad")
    daily: list[DailyFigures] | None


class PhotoUpload(ApiModel):
    """A presigned S3 POST: send ``fields`` and the file to ``url`` within ``expiresIn`` seconds."""
    id: str
    url: str
    fields: dict[str, str]
    expires_in: int


class ReviewReplyAnswer(ApiModel):
    booking_id: str
    text: str
    created_at: str


class CalendarUrl(ApiModel):
    url: str
