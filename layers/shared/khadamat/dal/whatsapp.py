"""WhatsApp conversations (SPEC §16): handled inbound messages, the 24-hour window per number,
opt-out/in consents, and delivery statuses of sent messages.

Keys:
  TWIN#<MessageSid> / INBOUND     an inbound message handled (idempotency: a redelivery answers
                                  the stored reply and changes nothing); ttl 7 days
  WANUMBER#<e164> / SESSION       last_inbound_at: the person's last message (the 24-hour window
                                  in which free-form text may be sent); ttl 2 days
  USER#<id> / CONSENT#<at>#WHATSAPP  STOP/ARRET (granted false) or START (true), with the user's
                                  muted_channels in the same transaction (delivery honours them)
  USER#<id> / NOTIF#<id>, u#<unit>  the unit's delivery record (dal.notifications) also carries
                                  st (status), st_at, r (its rank) and e (Twilio's error code)
                                  from the status callbacks, never moving backwards
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeAttribute
from pynamodb.transactions import TransactWrite

from khadamat.dal.base import BaseItem, conditionally, connection, get_or_none
from khadamat.dal import notifications as notification_store
from khadamat.dal.users import UserItem, consent_item
from khadamat.domain.accounts import UserStatus
from khadamat.domain.timeutil import to_storage

INBOUND_TTL = timedelta(days=7)
SESSION_TTL = timedelta(days=2)
WHATSAPP_CONSENT = "WHATSAPP"


class InboundItem(BaseItem):
    received_at = UnicodeAttribute()
    reply = UnicodeAttribute(null=True)  # the TwiML text answered (None: no reply)


class SessionItem(BaseItem):
    last_inbound_at = UnicodeAttribute()


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def claim_inbound(message_sid: str, now: datetime) -> InboundItem | None:
    """None when this MessageSid is new (it is ours to handle now); else the earlier handling."""
    item = InboundItem(f"TWIN#{message_sid}", "INBOUND", received_at=to_storage(now),
                       ttl=_epoch(now + INBOUND_TTL))
    if conditionally(item.save, condition=InboundItem.PK.does_not_exist()):
        return None
    return InboundItem.get(f"TWIN#{message_sid}", "INBOUND", consistent_read=True)


def save_reply(message_sid: str, reply: str | None) -> None:
    if reply:
        InboundItem(f"TWIN#{message_sid}", "INBOUND").update(actions=[InboundItem.reply.set(reply)])


def touch_session(e164: str, now: datetime) -> None:
    """The number wrote to us now: the window reopens (never moved back by a late redelivery)."""
    at = to_storage(now)
    conditionally(SessionItem(f"WANUMBER#{e164}", "SESSION").update,
                  actions=[SessionItem.last_inbound_at.set(at), SessionItem.ttl.set(_epoch(now + SESSION_TTL))],
                  condition=SessionItem.last_inbound_at.does_not_exist() | (SessionItem.last_inbound_at < at))


def last_inbound(e164: str) -> str | None:
    session = get_or_none(SessionItem, f"WANUMBER#{e164}", "SESSION")
    return session.last_inbound_at if session else None


def record_whatsapp_consent(user: UserItem, granted: bool, now: datetime) -> None:
    """STOP (granted false) / START (true): the consent record and the channel switch together."""
    consent = consent_item(user.user_id, WHATSAPP_CONSENT, granted, None, None, "WHATSAPP", now)
    switch = (UserItem.muted_channels.delete({"WHATSAPP"}) if granted
              else UserItem.muted_channels.add({"WHATSAPP"}))
    with TransactWrite(connection=connection()) as tx:
        tx.save(consent, condition=consent.__class__.PK.does_not_exist())
        tx.update(user, actions=[switch, UserItem.updated_at.set(to_storage(now))],
                  condition=UserItem.status != UserStatus.DELETED)


def record_status(ref: notification_store.MessageRef, unit: str, message_sid: str, status: str, rank: int,
                  error_code: str | None, now: datetime) -> bool:
    """Twilio's status of one sent unit, on the notification item (one UpdateItem); False when an
    equal or later status is there already (callbacks arrive out of order: never backwards), or
    the unit was sent with another MessageSid. A callback that beats the sender's own record of
    the sid (unit still SENDING) is taken."""
    unit_path = notification_store.unit_path
    actions = [unit_path(unit, "st").set(status), unit_path(unit, "st_at").set(to_storage(now)),
               unit_path(unit, "r").set(str(rank))]
    if error_code:
        actions.append(unit_path(unit, "e").set(error_code[:12]))
    ours = (unit_path(unit, "p") == message_sid) | (
        unit_path(unit, "p").does_not_exist() & (unit_path(unit, "s") == notification_store.SENDING))
    later = unit_path(unit, "r").does_not_exist() | (unit_path(unit, "r") < str(rank))
    return notification_store.conditional_update(ref, actions, ours & later)
