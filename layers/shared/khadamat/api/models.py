"""Request bodies validated by the handlers (and published in the OpenAPI document)."""

from __future__ import annotations

from pydantic import EmailStr, Field

from khadamat.api.schemas import ApiModel


class SignupRequest(ApiModel):
    phone: str = Field(max_length=32)
    email: EmailStr
    password: str = Field(max_length=256)
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    role: str = Field(max_length=16)
    city_id: str | None = Field(default=None, max_length=32)
    whatsapp: str | None = Field(default=None, max_length=32)


class LoginRequest(ApiModel):
    login: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class RefreshTokenRequest(ApiModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class BanRequest(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class ClockRequest(ApiModel):
    now: str = Field(min_length=1, max_length=64)
