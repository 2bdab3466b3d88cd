"""Request bodies of the account self-service and privacy endpoints (SPEC §15)."""

from __future__ import annotations

from typing import Any

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


# ---------------------------------------------------------------- responses (SPEC §15)
class DataExport(ApiModel):
    """Every personal datum held on the caller (CNDP right of access); sections as documented in docs/."""
    exported_at: str
    account: dict[str, Any]
    preferences: dict[str, bool]
    consents: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    devices: list[dict[str, Any]]
    bookings: list[dict[str, Any]]
    reviews_given: list[dict[str, Any]]
    reviews_received: list[dict[str, Any]]
    reports_filed: list[dict[str, Any]]
    penalties: list[dict[str, Any]]
    notifications: list[dict[str, Any]]
    subscription: dict[str, Any] | None
