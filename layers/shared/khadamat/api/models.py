"""Request bodies validated by the handlers (and published in the OpenAPI document)."""

from __future__ import annotations

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
