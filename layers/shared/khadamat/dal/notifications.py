"""Notification delivery state, the in-app inbox and push device tokens (SPEC §13).

Keys:
  OUTBOX#<messageId> / SENT#<unit>          delivery claim of one message on one unit
                                            (WHATSAPP, INBOX, PUSH#<tokenHash>): SENDING → SENT;
                                            ttl 90 days (SPEC §15)
  USER#<id> / NOTIF#<createdAt>#<messageId> an inbox item; newest first by a reverse Query;
                                            once read, ttl 180 days after readAt (SPEC §15)
                GSI1: NOTIF#<messageId> / NOTIF   (POST /me/notifications/{id}/read finds it)
  USER#<id> / DEVICE#<token>                a push device token of the user
  DEVICE#<token> / OWNER                    who owns a token now (a phone changing hands
                                            must not get the previous user's pushes)
The outbox item itself (dal.outbox) is in GSI3 OUTBOX_PENDING until every unit is done,
then leaves the index; after 24 h of failures it moves to GSI3 OUTBOX_FAILED / <failedAt>#<id>.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from khadamat.dal.base import (GSI1, BaseItem, PageScope, connection, decode_page_token,
                               encode_page_token, oldest_in, get_or_none, conditionally)
from khadamat.dal.outbox import PENDING_PK, OutboxItem
from khadamat.domain.retention import outbox_ttl, read_notification_ttl
from khadamat.domain.timeutil import to_storage

SENDING, SENT, SKIPPED = "SENDING", "SENT", "SKIPPED"
FAILED_PK = "OUTBOX_FAILED"


def _user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


# ---------------------------------------------------------------- delivery claims
class DeliveryItem(BaseItem):
    message_id = UnicodeAttribute()
    unit = UnicodeAttribute()
    state = UnicodeAttribute()  # SENDING | SENT | SKIPPED
    claim_id = UnicodeAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)
    provider_id = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()


def _delivery_key(message_id: str, unit: str) -> tuple[str, str]:
    return f"OUTBOX#{message_id}", f"SENT#{unit}"


def claim(message_id: str, unit: str, claim_id: str, now: datetime, lease_until: datetime) -> bool:
    """Take the right to send one unit: True when no claim exists or a SENDING lease expired.

    False when the unit is SENT/SKIPPED, or another attempt holds a live lease.
    """
    item = DeliveryItem(*_delivery_key(message_id, unit), message_id=message_id, unit=unit,
                        state=SENDING, claim_id=claim_id, lease_until=to_storage(lease_until),
                        updated_at=to_storage(now), ttl=outbox_ttl(now))
    free = DeliveryItem.PK.does_not_exist() | (
        (DeliveryItem.state == SENDING) & (DeliveryItem.lease_until < to_storage(now)))
    return conditionally(item.save, condition=free)


def unit_state(message_id: str, unit: str) -> str | None:
    item = get_or_none(DeliveryItem, *_delivery_key(message_id, unit), consistent_read=True)
    return item.state if item else None


def finish(message_id: str, unit: str, claim_id: str, state: str, now: datetime,
           provider_id: str | None = None, note: str | None = None) -> None:
    """SENDING → SENT/SKIPPED, only by the attempt holding the claim."""
    actions = [DeliveryItem.state.set(state), DeliveryItem.updated_at.set(to_storage(now)),
               DeliveryItem.lease_until.remove()]
    if provider_id:
        actions.append(DeliveryItem.provider_id.set(provider_id))
    if note:
        actions.append(DeliveryItem.note.set(note))
    DeliveryItem(*_delivery_key(message_id, unit)).update(
        actions=actions, condition=DeliveryItem.claim_id == claim_id)


def release(message_id: str, unit: str, claim_id: str) -> None:
    """The send failed for sure: forget the claim so that a retry may send."""
    try:
        DeliveryItem(*_delivery_key(message_id, unit)).delete(
            condition=(DeliveryItem.claim_id == claim_id) & (DeliveryItem.state == SENDING))
    except DeleteError:
        pass  # the lease expired and another attempt took it: that attempt owns it now


def record_skip(message_id: str, unit: str, now: datetime, note: str) -> None:
    """A unit that will never be sent (e.g. the recipient deleted the account)."""
    try:
        DeliveryItem(*_delivery_key(message_id, unit), message_id=message_id, unit=unit,
                     state=SKIPPED, note=note, updated_at=to_storage(now), ttl=outbox_ttl(now)).save(
            condition=DeliveryItem.PK.does_not_exist())
    except PutError:
        pass


def mark_delivered(message_id: str, now: datetime) -> None:
    """Every unit is done: the message leaves the OUTBOX_PENDING index."""
    OutboxItem(f"OUTBOX#{message_id}", "MSG").update(actions=[
        OutboxItem.delivered_at.set(to_storage(now)), OutboxItem.GSI3PK.remove(),
        OutboxItem.GSI3SK.remove()], condition=OutboxItem.PK.exists())


def mark_failed(message_id: str, now: datetime) -> None:
    """Retries are over: the message moves to the OUTBOX_FAILED index, where an operator sees it."""
    OutboxItem(f"OUTBOX#{message_id}", "MSG").update(actions=[
        OutboxItem.GSI3PK.set(FAILED_PK), OutboxItem.GSI3SK.set(to_storage(now) + f"#{message_id}")],
        condition=OutboxItem.GSI3PK == PENDING_PK)


def outbox_from_image(image: dict) -> OutboxItem:
    """The outbox item of a stream record's NewImage (DynamoDB JSON)."""
    return OutboxItem.from_raw_data(image)


def pending_messages(created_before: datetime | None = None, limit: int = 25,
                     newest_first: bool = False) -> list[OutboxItem]:
    """Undelivered messages, oldest first unless asked (a Query of the sparse GSI3, never a scan)."""
    return oldest_in(OutboxItem.pending, PENDING_PK, OutboxItem.GSI3SK, created_before, limit, newest_first)


def get_message(message_id: str) -> OutboxItem | None:
    return get_or_none(OutboxItem, f"OUTBOX#{message_id}", "MSG")


# ---------------------------------------------------------------- inbox
class InboxItem(BaseItem):
    notification_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    booking_id = UnicodeAttribute(null=True)
    counterpart_id = UnicodeAttribute(null=True)  # the text's {name}/{contact}: rendered when read
    created_at = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)

    by_id = GSI1()


def put_inbox_item(message: OutboxItem) -> None:
    """Idempotent: a redelivered message finds its inbox item already there."""
    item = InboxItem(_user_pk(message.recipient_id),
                     f"NOTIF#{message.created_at}#{message.message_id}",
                     notification_id=message.message_id, user_id=message.recipient_id,
                     type=message.type, title=message.title, body=message.body,
                     booking_id=message.booking_id, counterpart_id=message.counterpart_id,
                     created_at=message.created_at,
                     GSI1PK=f"NOTIF#{message.message_id}", GSI1SK="NOTIF")
    conditionally(item.save, condition=InboxItem.PK.does_not_exist())


def inbox_page(user_id: str, limit: int, next_token: str | None,
               scope: PageScope) -> tuple[list[InboxItem], str | None]:
    """Newest first; one item more than asked tells whether a next page exists."""
    pk = _user_pk(user_id)
    start = decode_page_token(next_token, scope)
    items = list(InboxItem.query(pk, InboxItem.SK.startswith("NOTIF#"), scan_index_forward=False,
                                 limit=limit + 1, last_evaluated_key=start))
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, encode_page_token({"PK": {"S": pk}, "SK": {"S": items[-1].SK}}, scope)


def find_inbox_item(user_id: str, notification_id: str) -> InboxItem | None:
    """The caller's inbox item with that id, or None (someone else's is None too)."""
    for found in InboxItem.by_id.query(f"NOTIF#{notification_id}", limit=1):
        if found.user_id == user_id:
            return found
    return None


def mark_read(item: InboxItem, now: datetime) -> None:
    """Sets readAt once: a second call keeps the first reading time; a read notification
    is kept 180 days from then (ttl, SPEC §15)."""
    conditionally(item.update, actions=[InboxItem.read_at.set(to_storage(now)),
                           InboxItem.ttl.set(read_notification_ttl(now))],
                  condition=InboxItem.read_at.does_not_exist())


# ---------------------------------------------------------------- devices
class DeviceItem(BaseItem):
    user_id = UnicodeAttribute()
    token = UnicodeAttribute()
    platform = UnicodeAttribute()  # IOS | ANDROID | WEB
    created_at = UnicodeAttribute()


class DeviceOwnerItem(BaseItem):
    user_id = UnicodeAttribute()


def _device_key(user_id: str, token: str) -> tuple[str, str]:
    return _user_pk(user_id), f"DEVICE#{token}"


def _owner_key(token: str) -> tuple[str, str]:
    return f"DEVICE#{token}", "OWNER"


def _current_owner(token: str) -> str | None:
    item = get_or_none(DeviceOwnerItem, *_owner_key(token), consistent_read=True)
    return item.user_id if item else None


def register_device(user_id: str, token: str, platform: str, now: datetime) -> None:
    """The token is the user's from now on; a previous owner stops getting its pushes.

    The owner item is the optimistic lock: the transaction holds only if the owner is
    still the one expected. The first attempt expects the common case, a new token or the
    caller's own (one transaction, no read); when another user owns it, the cancellation
    carries the owner item (ALL_OLD) and the next attempt hands the token over.
    """
    expected: str | None = user_id
    for _attempt in range(3):
        try:
            _save_device(user_id, token, platform, now, expected)
            return
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            expected = _owner_when_refused(error, token)
    raise TransactWriteError("device token registration kept conflicting")


def _save_device(user_id: str, token: str, platform: str, now: datetime,
                 expected: str | None) -> None:
    with TransactWrite(connection=connection()) as tx:
        tx.save(DeviceOwnerItem(*_owner_key(token), user_id=user_id),
                condition=_owner_is(expected, user_id), return_values="ALL_OLD")
        tx.save(DeviceItem(*_device_key(user_id, token), user_id=user_id, token=token,
                           platform=platform, created_at=to_storage(now)))
        if expected and expected != user_id:
            tx.delete(DeviceItem(*_device_key(expected, token)))


def _owner_is(expected: str | None, user_id: str):
    """No owner yet (expected None), no owner or the caller already, or that other user."""
    if expected is None:
        return DeviceOwnerItem.PK.does_not_exist()
    if expected == user_id:
        return DeviceOwnerItem.PK.does_not_exist() | (DeviceOwnerItem.user_id == user_id)
    return DeviceOwnerItem.user_id == expected


def _owner_when_refused(error: TransactWriteError, token: str) -> str | None:
    """The owner the refused transaction found (its ALL_OLD item), else read now."""
    for reason in error.cancellation_reasons:
        if reason and reason.code == "ConditionalCheckFailed" and reason.raw_item:
            return DeviceOwnerItem.from_raw_data(reason.raw_item).user_id
    return _current_owner(token)


def remove_device(user_id: str, token: str) -> bool:
    """False when the caller has no such device (someone else's token included)."""
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.delete(DeviceItem(*_device_key(user_id, token)), condition=DeviceItem.PK.exists())
            tx.delete(DeviceOwnerItem(*_owner_key(token)),
                      condition=DeviceOwnerItem.user_id == user_id)
        return True
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise


def user_devices(user_id: str) -> list[DeviceItem]:
    return list(DeviceItem.query(_user_pk(user_id), DeviceItem.SK.startswith("DEVICE#")))


def forget_device(user_id: str, token: str) -> None:
    """The push service says the token is dead: drop it (no error if already gone)."""
    remove_device(user_id, token)
