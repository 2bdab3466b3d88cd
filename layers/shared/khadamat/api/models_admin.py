"""Request and response bodies of the admin API (SPEC §9, §17, §20).

Admin writes read their target with the caller's account (one BatchGetItem): the routes name
it with ``prefetch=in_path(UserRef)`` and co. (khadamat.api.prefetch); the target's current
state is the audit entry's ``before`` and the write's condition.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from khadamat.api.schemas import ApiModel, BookingBasics, PenaltyView


class ReviewHideRequest(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class ArticleRequest(ApiModel):
    title: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, min_length=1, max_length=80)
    summary: str = Field(min_length=1, max_length=500)
    body_markdown: str = Field(min_length=1, max_length=50_000)
    cover_url: str | None = Field(default=None, max_length=500, pattern=r"^https://\S+$")
    city_id: str | None = Field(default=None, max_length=32)
    category_id: str | None = Field(default=None, max_length=32)
    status: str = Field(max_length=16)


class MfaConfirmRequest(ApiModel):
    code: str = Field(min_length=6, max_length=10)


class MfaLoginRequest(ApiModel):
    mfa_token: str = Field(min_length=1, max_length=2048)
    code: str = Field(min_length=6, max_length=10)


class DevAdminRequest(ApiModel):
    # local addresses such as ops@khadamat.local are fine here (EmailStr refuses .local)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(min_length=1, max_length=256)
    phone: str | None = Field(default=None, max_length=32)
    first_name: str | None = Field(default=None, min_length=1, max_length=80)
    last_name: str | None = Field(default=None, min_length=1, max_length=80)


# ---------------------------------------------------------------- responses (SPEC §9, §17, §20)
class UserSummary(ApiModel):
    id: str
    role: str
    status: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    email: str | None
    city_id: str | None
    kyc_status: str | None
    sanction_tier: int
    created_at: str | None


class UserPage(ApiModel):
    items: list[UserSummary]
    next_token: str | None


class UserCounters(ApiModel):
    late_cancel_count30d: int = Field(alias="lateCancelCount30d")
    sanction_tier: int
    booking_cooldown_until: str | None
    pro_cancel_count30d: int = Field(alias="proCancelCount30d")
    pro_consecutive_cancel_count: int
    rating_count: int
    rating_average: float | None


class UserKyc(ApiModel):
    status: str | None
    submitted_at: str | None
    rejection_reason: str | None


class SubscriptionRecord(ApiModel):
    id: str
    plan: str | None
    status: str | None
    current_period_end: str | None
    commitment_ends_at: str | None
    ended_at: str | None


class UserSubscriptions(ApiModel):
    premium_until: str | None
    plan: str | None
    items: list[SubscriptionRecord]


class UserBooking(BookingBasics):
    created_at: str | None


class UserDetail(UserSummary):
    ban_reason: str | None
    counters: UserCounters
    penalties: list[PenaltyView]
    kyc: UserKyc | None  # PRO only
    subscription: UserSubscriptions | None  # PRO only
    bookings: list[UserBooking]


class AuditEntry(ApiModel):
    id: str
    actor_id: str
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    created_at: str


class AuditPage(ApiModel):
    items: list[AuditEntry]
    next_token: str | None


class MfaEnrollment(ApiModel):
    secret: str
    otpauth_url: str


class CreatedAdmin(ApiModel):
    user_id: str


class PublicArticleSummary(ApiModel):
    id: str
    title: str
    slug: str
    summary: str | None
    cover_url: str | None
    city_id: str | None
    category_id: str | None
    created_at: str | None
    updated_at: str | None
    published_at: str | None


class PublicArticle(PublicArticleSummary):
    body_html: str


class PublicArticlePage(ApiModel):
    items: list[PublicArticleSummary]
    next_token: str | None


class ArticleSummary(PublicArticleSummary):
    status: str


class ArticlePage(ApiModel):
    items: list[ArticleSummary]
    next_token: str | None


class EditedArticle(ArticleSummary):
    body_markdown: str
    body_html: str
