"""Request bodies of the account self-service and privacy endpoints (SPEC §15)."""

from __future__ import annotations

from pydantic import EmailStr, Field, StrictBool

from khadamat.api.schemas import ApiModel


class UpdateMeRequest(ApiModel):
    """PATCH /me: every field optional; the names' rules are the domain's (422)."""

    first_name: str | None = Field(default=None, max_length=80)
    last_name: str | None = Field(default=None, max_length=80)
    email: EmailStr | None = None


class PreferencesRequest(ApiModel):
    """PUT /me/preferences replaces the three switches (all required, true or false)."""

    whatsapp: StrictBool
    push: StrictBool
    sms: StrictBool
