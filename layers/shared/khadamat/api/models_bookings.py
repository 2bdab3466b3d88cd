"""Request bodies of the booking endpoints (SPEC §6), and what their routes read with the caller."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from khadamat.api.schemas import ApiModel
from khadamat.dal.bookings import MAX_BOOKING_ID_LENGTH, BookingItem, booking_pk


def booking_in_path(event: dict) -> dict:
    """``prefetch=`` of the /bookings/{id}/… routes: the booking, read with the caller's account."""
    booking_id = (event.get("pathParameters") or {}).get("id") or ""
    if not 0 < len(booking_id) <= MAX_BOOKING_ID_LENGTH:
        return {}
    return {"booking": (BookingItem, booking_pk(booking_id), "BOOKING")}


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


class RescheduleRequest(ApiModel):  # SPEC §19
    time_slot: str = Field(min_length=1, max_length=64)
