"""Request bodies validated by the handlers (and published in the OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import EmailStr, Field, StrictBool

from khadamat.api.schemas import ApiModel


class SignupRequest(ApiModel):
    phone: str = Field(max_length=32)
    email: EmailStr
    password: str = Field(max_length=256)
    first_name: str = Field(min_length=1, max_length=40)
    last_name: str = Field(min_length=1, max_length=40)
    role: str = Field(max_length=16)
    city_id: str | None = Field(default=None, max_length=32)
    whatsapp: str | None = Field(default=None, max_length=32)
    # SPEC §15: required, and must be true (checked by the use case: 422 naming acceptTerms)
    accept_terms: StrictBool | None = None
    marketing_opt_in: StrictBool = False


class LoginRequest(ApiModel):
    login: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class RefreshTokenRequest(ApiModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class BanRequest(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class ClockRequest(ApiModel):
    now: str = Field(min_length=1, max_length=64)


# ---------------------------------------------------------------- accounts, wave 2 (SPEC §15)
class OtpSendRequest(ApiModel):
    phone: str = Field(min_length=1, max_length=32)
    purpose: str = Field(min_length=1, max_length=32)
    channel: str | None = Field(default=None, max_length=16)


class OtpVerifyRequest(ApiModel):
    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=16)
    purpose: str = Field(min_length=1, max_length=32)


class PasswordResetRequest(ApiModel):
    reset_token: str = Field(min_length=1, max_length=512)
    new_password: str = Field(min_length=1, max_length=256)


class PasswordChangeRequest(ApiModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class ConsentsRequest(ApiModel):
    marketing_opt_in: StrictBool


# ---------------------------------------------------------------- responses (auth, account, reference)
class HealthView(ApiModel):
    status: str


class NamedItem(ApiModel):
    id: str
    name: str


class NamedItems(ApiModel):
    items: list[NamedItem]


class SignupAnswer(ApiModel):
    user_id: str
    role: str


class Tokens(ApiModel):
    access_token: str
    refresh_token: str
    expires_in: int


class SessionUser(ApiModel):
    id: str
    role: str
    first_name: str | None
    last_name: str | None


class Session(Tokens):
    user: SessionUser


class MfaChallenge(ApiModel):
    """An admin with TOTP signs in in two steps: POST /auth/mfa with this token and a code."""
    mfa_required: Literal[True]
    mfa_token: str


LoginAnswer = Session | MfaChallenge


class OtpSent(ApiModel):
    expires_in: int


class PhoneVerified(ApiModel):
    phone_verified: bool


class ResetToken(ApiModel):
    """PASSWORD_RESET: the token POST /auth/password/reset takes, valid expiresIn seconds."""
    reset_token: str
    expires_in: int


class Account(ApiModel):
    id: str
    role: str
    status: str
    phone: str | None
    phone_verified: bool
    email: str | None
    first_name: str | None
    last_name: str | None
    city_id: str | None = None  # PRO only
    late_cancel_count30d: int | None = Field(default=None, alias="lateCancelCount30d")  # CLIENT only
    sanction_tier: int | None = None  # CLIENT only
    booking_cooldown_until: str | None = None  # CLIENT only


class ConsentRecord(ApiModel):
    kind: str
    granted: bool
    terms_version: str | None
    source_ip: str | None
    source: str | None
    recorded_at: str


class Consents(ApiModel):
    items: list[ConsentRecord]


class Preferences(ApiModel):
    whatsapp: bool
    push: bool
    sms: bool


class ClockView(ApiModel):
    now: str


class JobRun(ApiModel):
    job: str
    summary: Any  # what the job returns (its own summary)


# POST /auth/otp/verify, by purpose: the phone verified, the account with its new phone, a
# session (sign-in by code, or an admin's TOTP challenge), or a password reset token.
OtpVerified = PhoneVerified | Account | Session | MfaChallenge | ResetToken
