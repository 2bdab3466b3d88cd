"""The notification: ONE item, the recipient's inbox entry and the outbox message at once.

Key: USER#<recipientId> / NOTIF#<notificationId>, written in the same transaction as the
booking transition that causes it. ``notificationId`` is ``<createdAt as 20 digits>-<uuid4>``:
fixed-width, so the user's partition sorts by time (newest first by a reverse Query), and the
id alone gives the key (POST /me/notifications/{id}/read is a GetItem, no index).

The table's stream carries the item's INSERT to the delivery function (FilterCriteria on
``SK`` prefix ``NOTIF#``), which sends it on each channel at most once; the per-unit delivery
state lives on this same item (dal.notifications: attributes ``u#<unit>``). No pending index:
only a message whose delivery failed enters GSI3 ``NOTIF_RETRY`` (docs/notifications.md).
The text keeps {name}/{contact} placeholders: no personal data at rest (SPEC §13).
Retention (SPEC §15): the item is the outbox message, so it carries the outbox's ttl, 90 days
after it was written; reading it resets the ttl to 180 days after readAt and drops its delivery
records (dal.notifications.mark_read): an unread notification goes after 90 days.
"""

from __future__ import annotations

import re
import uuid

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from khadamat.dal.base import BaseItem
from khadamat.domain.retention import outbox_ttl
from khadamat.domain.timeutil import from_storage

_ID = re.compile(r"^\d{20}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class NotificationItem(BaseItem):
    message_id = UnicodeAttribute()  # the notification id (the API's "id")
    type = UnicodeAttribute()  # BOOKING_REQUESTED, BOOKING_CONFIRMED, BOOKING_CANCELLED, ...
    recipient_id = UnicodeAttribute()
    recipient_role = UnicodeAttribute()  # CLIENT | PRO
    channels = ListAttribute(of=UnicodeAttribute)  # WHATSAPP, PUSH, INBOX
    booking_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    body = UnicodeAttribute()  # French text with {name}/{contact} placeholders: no personal data
    counterpart_id = UnicodeAttribute(null=True)  # whose name/contact the text shows when rendered
    # the WhatsApp template's body values (SPEC §16), placeholders like the body's; absent on
    # messages written before issue 17 (then no template is sent: WhatsApp needs one)
    variables = ListAttribute(of=UnicodeAttribute, null=True)
    correlation_id = UnicodeAttribute(null=True)  # the booking's originating API request (logs)
    created_at = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)

    @property
    def notification_id(self) -> str:
        return self.message_id

    @property
    def user_id(self) -> str:
        return self.recipient_id


def notification_key(user_id: str, notification_id: str) -> tuple[str, str] | None:
    """The item's key, or None for a string that is no notification id."""
    if not _ID.match(notification_id):
        return None
    return f"USER#{user_id}", f"NOTIF#{notification_id}"


def new_outbox_item(*, type: str, recipient_id: str, recipient_role: str, channels: list[str],
                    booking_id: str | None, title: str, body: str, created_at: str,
                    counterpart_id: str | None = None, correlation_id: str | None = None,
                    variables: list[str] | None = None) -> NotificationItem:
    message_id = f"{re.sub(r'[^0-9]', '', created_at)}-{uuid.uuid4()}"
    return NotificationItem(*notification_key(recipient_id, message_id), message_id=message_id,
                            type=type, recipient_id=recipient_id, recipient_role=recipient_role,
                            channels=channels, booking_id=booking_id, title=title, body=body,
                            counterpart_id=counterpart_id, correlation_id=correlation_id,
                            variables=variables or None, created_at=created_at,
                            ttl=outbox_ttl(from_storage(created_at)))
