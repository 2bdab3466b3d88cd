"""The notification outbox: messages written in the same transaction as a booking transition.

Key: OUTBOX#<messageId> / MSG. The table's stream carries each new item to the
delivery function (issue 8), which sends it on each of its channels at most once.
GSI3: OUTBOX_PENDING / <createdAt>#<messageId> while some channel is not done yet
(sparse: removed on delivery); the local pump and the redelivery job read it.
Kept 90 days (ttl, SPEC §15), like its delivery records.
"""

from __future__ import annotations

import uuid

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from khadamat.dal.base import GSI3, BaseItem
from khadamat.domain.retention import outbox_ttl
from khadamat.domain.timeutil import from_storage

PENDING_PK = "OUTBOX_PENDING"


class OutboxItem(BaseItem):
    message_id = UnicodeAttribute()
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
    delivered_at = UnicodeAttribute(null=True)

    pending = GSI3()


def new_outbox_item(*, type: str, recipient_id: str, recipient_role: str, channels: list[str],
                    booking_id: str | None, title: str, body: str, created_at: str,
                    counterpart_id: str | None = None, correlation_id: str | None = None,
                    variables: list[str] | None = None) -> OutboxItem:
    message_id = str(uuid.uuid4())
    return OutboxItem(f"OUTBOX#{message_id}", "MSG", message_id=message_id, type=type,
                      recipient_id=recipient_id, recipient_role=recipient_role,
                      channels=channels, booking_id=booking_id, title=title, body=body,
                      counterpart_id=counterpart_id, correlation_id=correlation_id,
                      variables=variables or None,
                      created_at=created_at, GSI3PK=PENDING_PK,
                      GSI3SK=f"{created_at}#{message_id}",
                      ttl=outbox_ttl(from_storage(created_at)))  # 90 days (SPEC §15)
