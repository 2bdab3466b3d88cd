"""Request bodies of the notifications endpoints (SPEC §13)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from khadamat.api.schemas import ApiModel
from khadamat.domain.delivery import DevicePlatform

# FCM and APNs tokens are URL-safe; the token is also a path segment of DELETE /me/devices/{token}.
DEVICE_TOKEN_PATTERN = r"^[A-Za-z0-9:_.\-]+$"


class DeviceRequest(ApiModel):
    platform: DevicePlatform
    token: str = Field(min_length=8, max_length=512, pattern=DEVICE_TOKEN_PATTERN)


# ---------------------------------------------------------------- responses (SPEC §13)
class NotificationView(ApiModel):
    id: str
    type: str
    title: str | None
    body: str | None
    booking_id: str | None
    created_at: str
    read_at: str | None


class NotificationPage(ApiModel):
    items: list[NotificationView]
    next_token: str | None


class DeviceView(ApiModel):
    token: str
    platform: str


class OutboxMessage(ApiModel):
    """What a local stand-in sent (local stage only): its channel and the message's fields."""
    model_config = ConfigDict(extra="allow")
    channel: str


class Outbox(ApiModel):
    items: list[OutboxMessage]


# ---------------------------------------------------------------- local Twilio stand-in (SPEC §16)
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"


class DevWhatsAppInboundRequest(ApiModel):
    from_: str = Field(alias="from", pattern=E164_PATTERN)
    body: str | None = Field(default=None, max_length=1600)
    button_payload: str | None = Field(default=None, max_length=256)
    message_sid: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{2,64}$")


class DevWhatsAppStatusRequest(ApiModel):
    message_sid: str = Field(pattern=r"^[A-Za-z0-9]{2,64}$")
    status: str = Field(pattern=r"^(accepted|scheduled|queued|sending|sent|delivered|undelivered|failed|read)$")
    error_code: str | None = Field(default=None, pattern=r"^[0-9]{1,6}$")


class TwilioStatusReceipt(ApiModel):
    """Whether the callback moved the message's delivery status (False: unknown, stale or backwards)."""
    recorded: bool


class DevWhatsAppInboundAnswer(ApiModel):
    message_sid: str
    reply: str | None
    twiml: str


class DevWhatsAppStatusAnswer(ApiModel):
    message_sid: str
    recorded: bool
