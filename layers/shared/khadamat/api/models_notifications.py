"""Request bodies of the notifications endpoints (SPEC §13)."""

from __future__ import annotations

from pydantic import Field

from khadamat.api.schemas import ApiModel
from khadamat.domain.delivery import DevicePlatform

# FCM and APNs tokens are URL-safe; the token is also a path segment of DELETE /me/devices/{token}.
DEVICE_TOKEN_PATTERN = r"^[A-Za-z0-9:_.\-]+$"


class DeviceRequest(ApiModel):
    platform: DevicePlatform
    token: str = Field(min_length=8, max_length=512, pattern=DEVICE_TOKEN_PATTERN)
