"""Shared pydantic conventions: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    # defer_build: a model's validator is built when first used, not at import. An area's
    # models module holds several requests; each function validates one (cold start budget).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True,
                              str_strip_whitespace=True, defer_build=True)

    def wire(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class ErrorBody(ApiModel):
    code: str
    message: str


class ErrorEnvelope(ApiModel):
    error: ErrorBody


# ---------------------------------------------------------------- response pieces many areas share
# Response models document the wire (docs/openapi.json, the apps' generated clients); they are
# declared on the routes (khadamat.api.responses), never used to build or validate a body.
class Rating(ApiModel):
    average: float | None  # null until the first review
    count: int


class ServiceView(ApiModel):
    category_id: str
    pricing_type: str
    min_price_mad: int | None
    max_price_mad: int | None
    fixed_price_mad: int | None


class WeeklyHours(ApiModel):
    day_of_week: int
    start_min: int
    end_min: int


class BoostView(ApiModel):
    category_id: str | None
    starts_at: str | None
    ends_at: str | None


class PenaltyView(ApiModel):
    type: str
    booking_id: str | None
    created_at: str | None


class IdAndStatus(ApiModel):
    id: str
    status: str


class BookingBasics(ApiModel):
    """What every view of a booking shows first (the parties' view, the admin's user page)."""

    id: str
    status: str
    time_slot: str | None
    city_id: str | None
    category_id: str | None
    client_id: str
    pro_id: str
