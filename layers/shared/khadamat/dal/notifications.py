"""Notification delivery state, the in-app inbox and push device tokens (SPEC §13).

Keys:
  USER#<id> / NOTIF#<notificationId>        the notification (dal.outbox): inbox entry and
                                            outbox message in one item; newest first by a
                                            reverse Query; once read, ttl 180 days after readAt
  ...its attribute u#<unit>                 delivery of one unit (WHATSAPP, PUSH#<tokenHash>):
                                            {s: SENDING|SENT|SKIPPED, c: claim id, l: lease end,
                                             p: provider id (Twilio MessageSid), n: note,
                                             t: updated at, st: provider status, st_at}
                GSI3 NOTIF_RETRY / <createdAt>#<id>   only after a failed delivery (sparse)
                GSI3 NOTIF_FAILED / <failedAt>#<id>   retries over after 24 h (an operator's)
  USER#<id> / DEVICE#<token>                a push device token of the user
  DEVICE#<token> / OWNER                    who owns a token now (a phone changing hands
                                            must not get the previous user's pushes)
The INBOX channel needs no write at delivery: the item exists since the transition committed.
A unit costs one claim and one finish (each an UpdateItem of the ≤ 1 KB notification: 1 write
unit), and a delivery status callback one more (record_status); docs/benchmarks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.operand import Path
from pynamodb.transactions import TransactWrite

from khadamat.dal.base import (GSI3, BaseItem, PageScope, connection, decode_page_token,
                               encode_page_token, oldest_in, conditionally, get_or_none)
from khadamat.dal.outbox import NotificationItem, notification_key
from khadamat.domain.retention import read_notification_ttl
from khadamat.domain.timeutil import to_storage

SENDING, SENT, SKIPPED = "SENDING", "SENT", "SKIPPED"
RETRY_PK, FAILED_PK = "NOTIF_RETRY", "NOTIF_FAILED"


def _user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


class InboxItem(NotificationItem):
    """The notification as the inbox and the delivery use case read it (with GSI3 for retries)."""

    retry = GSI3()


# ---------------------------------------------------------------- delivery units
@dataclass(frozen=True)
class MessageRef:
    """Which notification: enough for its key. ``str()`` gives ``<userId>/<notificationId>``
    (e.g. in a Twilio status callback URL); ``MessageRef.parse`` reads it back."""

    user_id: str
    notification_id: str

    def __str__(self) -> str:
        return f"{self.user_id}/{self.notification_id}"

    @staticmethod
    def parse(text: str) -> MessageRef | None:
        user_id, _, notification_id = (text or "").partition("/")
        if not user_id or notification_key(user_id, notification_id) is None:
            return None
        return MessageRef(user_id, notification_id)

    def item(self) -> InboxItem:
        return InboxItem(*notification_key(self.user_id, self.notification_id))


def ref_of(message: NotificationItem) -> MessageRef:
    return MessageRef(message.recipient_id, message.message_id)


def _unit(unit: str, field: str | None = None) -> Path:
    return Path([f"u#{unit}"] + ([field] if field else []))


def _conditional_update(ref: MessageRef, actions: list, condition) -> bool:
    """False when the condition did not hold (nothing written)."""
    return conditionally(ref.item().update, actions=actions, condition=InboxItem.PK.exists() & condition)


# for the WhatsApp status callbacks (dal.whatsapp.record_status: ordered statuses, error codes)
unit_path, conditional_update = _unit, _conditional_update


def claim(ref: MessageRef, unit: str, claim_id: str, now: datetime, lease_until: datetime) -> bool:
    """Take the right to send one unit: True when no claim exists or a SENDING lease expired.

    False when the unit is SENT/SKIPPED, or another attempt holds a live lease.
    """
    free = _unit(unit).does_not_exist() | (
        (_unit(unit, "s") == SENDING) & (_unit(unit, "l") < to_storage(now)))
    return _conditional_update(ref, [_unit(unit).set(
        {"s": SENDING, "c": claim_id, "l": to_storage(lease_until), "t": to_storage(now)})], free)


def unit_state(ref: MessageRef, unit: str) -> str | None:
    return (unit_record(ref, unit) or {}).get("s")


def unit_record(ref: MessageRef, unit: str) -> dict | None:
    """The unit's delivery record ({s, c, l, p, n, t, st, st_at}), read consistently."""
    key = notification_key(ref.user_id, ref.notification_id)
    raw = connection().get_item(InboxItem.Meta.table_name, key[0], key[1], consistent_read=True,
                                attributes_to_get=[f"u#{unit}"]).get("Item", {})
    value = raw.get(f"u#{unit}", {}).get("M")
    return {name: inner.get("S") for name, inner in value.items()} if value is not None else None


def finish(ref: MessageRef, unit: str, claim_id: str, state: str, now: datetime,
           provider_id: str | None = None, note: str | None = None) -> None:
    """SENDING → SENT/SKIPPED, only by the attempt holding the claim."""
    actions = [_unit(unit, "s").set(state), _unit(unit, "t").set(to_storage(now)),
               _unit(unit, "l").remove()]
    if provider_id:
        actions.append(_unit(unit, "p").set(provider_id))
    if note:
        actions.append(_unit(unit, "n").set(note[:200]))
    ref.item().update(actions=actions, condition=_unit(unit, "c") == claim_id)


def release(ref: MessageRef, unit: str, claim_id: str) -> None:
    """The send failed for sure: forget the claim so that a retry may send."""
    _conditional_update(ref, [_unit(unit).remove()],
                        (_unit(unit, "c") == claim_id) & (_unit(unit, "s") == SENDING))
    # False: the lease expired and another attempt took it: that attempt owns it now


def record_status(ref: MessageRef, unit: str, provider_id: str, status: str, now: datetime) -> bool:
    """A provider's status callback (e.g. Twilio's delivered/read/failed) on a unit it sent:
    one UpdateItem of the notification; False when no unit sent with that provider id."""
    return _conditional_update(ref, [_unit(unit, "st").set(status),
                                     _unit(unit, "st_at").set(to_storage(now))],
                               _unit(unit, "p") == provider_id)


def mark_for_retry(message: NotificationItem) -> None:
    """A delivery failed: the message enters GSI3 NOTIF_RETRY, where the redelivery job finds
    it (only failures pay for an index entry; a message delivered first time never does)."""
    _conditional_update(ref_of(message), [
        InboxItem.GSI3PK.set(RETRY_PK),
        InboxItem.GSI3SK.set(f"{message.created_at}#{message.message_id}")],
        InboxItem.GSI3PK.does_not_exist())


def clear_retry(message: NotificationItem) -> None:
    """Every unit is done: the message leaves NOTIF_RETRY (no write if it never entered it)."""
    if message.GSI3PK == RETRY_PK:
        _conditional_update(ref_of(message), [InboxItem.GSI3PK.remove(), InboxItem.GSI3SK.remove()],
                            InboxItem.GSI3PK == RETRY_PK)


def mark_failed(message: NotificationItem, now: datetime) -> None:
    """Retries are over: the message moves to NOTIF_FAILED, where an operator sees it."""
    _conditional_update(ref_of(message), [
        InboxItem.GSI3PK.set(FAILED_PK), InboxItem.GSI3SK.set(f"{to_storage(now)}#{message.message_id}")],
        InboxItem.GSI3PK == RETRY_PK)


def message_from_image(image: dict) -> InboxItem:
    """The notification of a stream record's NewImage (DynamoDB JSON)."""
    return InboxItem.from_raw_data(image)


def messages_to_retry(created_before: datetime | None = None, limit: int = 25,
                      newest_first: bool = False) -> list[InboxItem]:
    """Messages whose delivery failed, oldest first unless asked (a Query of the sparse GSI3)."""
    return oldest_in(InboxItem.retry, RETRY_PK, InboxItem.GSI3SK, created_before, limit, newest_first)


def get_message(ref: MessageRef) -> InboxItem | None:
    return get_or_none(InboxItem, *notification_key(ref.user_id, ref.notification_id), consistent_read=True)


# ---------------------------------------------------------------- inbox
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
    """The caller's inbox item with that id, or None (someone else's is None too: the key
    is the caller's partition)."""
    key = notification_key(user_id, notification_id)
    if key is None:
        return None
    raw = connection().get_item(InboxItem.Meta.table_name, key[0], key[1]).get("Item")
    if raw is None:
        return None
    item = InboxItem.from_raw_data(raw)
    item.unit_names = [name for name in raw if name.startswith("u#")]  # its delivery records
    return item


def mark_read(item: InboxItem, now: datetime) -> None:
    """Sets readAt once: a second call keeps the first reading time; a read notification
    is kept 180 days from then (ttl, SPEC §15) without its delivery records, which SPEC §15
    keeps no longer than 90 days (they go now, with the read)."""
    actions = [InboxItem.read_at.set(to_storage(now)), InboxItem.ttl.set(read_notification_ttl(now))]
    actions += [Path([name]).remove() for name in getattr(item, "unit_names", ())]
    conditionally(item.update, actions=actions, condition=InboxItem.read_at.does_not_exist())


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
