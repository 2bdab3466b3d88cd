"""Request and response bodies of the booking endpoints (SPEC §6, §19).

The /bookings/{id}/… routes read the booking in the caller's BatchGetItem (``prefetch=
in_path(BookingRef)``) and hand it to the use case as one object, ``target_ref(app)``
(khadamat.api.prefetch): a ``khadamat.dal.bookings.BookingRef`` holding the path's id and what
that read found. The path parameter is named once, by template.yaml (and the route copies its
path); neither reads it by name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from khadamat.api.schemas import ApiModel, BookingBasics


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


# ---------------------------------------------------------------- responses
class BookingParty(ApiModel):
    """A party's phone (and the pro's WhatsApp) only once the booking is CONFIRMED (Privacy Shield)."""
    id: str
    first_name: str | None
    last_name: str | None
    phone: str | None


class BookingPro(BookingParty):
    whatsapp: str | None


class ProposalView(ApiModel):
    """An open reschedule proposal (SPEC §19)."""
    proposal_id: str
    time_slot: str
    proposed_by: str
    expires_at: str


class BookingView(BookingBasics):
    expires_at: str | None
    confirmed_at: str | None
    cancelled_at: str | None
    completed_at: str | None
    estimated_duration: str | None
    cancel_reason: str | None
    created_at: str | None
    updated_at: str | None
    client: BookingParty
    pro: BookingPro
    proposal: ProposalView | None


class BookingPage(ApiModel):
    items: list[BookingView]
    next_token: str | None


class BookingEvent(ApiModel):
    type: str
    actor_role: str | None
    actor_user_id: str | None
    created_at: str | None
    metadata: dict[str, Any]


class BookingEvents(ApiModel):
    items: list[BookingEvent]


class ReviewView(ApiModel):
    booking_id: str
    pro_id: str
    rating: int
    comment: str | None
    created_at: str | None
