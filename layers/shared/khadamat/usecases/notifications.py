"""Notification use cases (SPEC §13): deliver an outbox message; the inbox and devices endpoints.

The message is the recipient's inbox item (written with the booking transition, so INBOX is
delivered by then). Delivery is per unit (WHATSAPP, one PUSH#<tokenHash> per device). Each unit
is claimed by a conditional update of the notification item before it is sent and marked SENT
after, so a redelivered message never re-sends a unit that went out. A failing unit fails the message (the stream
retries it) without touching the others or anything the booking wrote.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import datetime

from khadamat import business_metrics, config
from khadamat.adapters import push, whatsapp, whatsapp_content
from khadamat.adapters.errors import DeadDeviceToken, Undeliverable
from khadamat.dal import notifications as store
from khadamat.dal import users
from khadamat.dal import whatsapp as whatsapp_store
from khadamat.dal.base import PageScope
from khadamat.dal.notifications import InboxItem
from khadamat.domain import delivery as rules
from khadamat.domain import notifications
from khadamat.domain import whatsapp_actions as actions_rules
from khadamat.domain import whatsapp_templates as templates
from khadamat.domain.accounts import UserStatus
from khadamat.domain.booking_rules import Status, phones_visible
from khadamat.domain.delivery import Channel
from khadamat.domain.errors import NotFound
from khadamat.domain.timeutil import from_storage, to_local_iso
from khadamat.observability import logger

SMS = "SMS"  # a delivery unit of its own: the opted-out number's or the failed WhatsApp's SMS


class DeliveryFailed(Exception):
    """Some unit of the message could not be sent now: retry the message later."""


class UnitInFlight(Exception):
    """Another attempt holds a live claim on this unit: retry later, do not send twice."""


# ---------------------------------------------------------------- delivery
def deliver_stream_record(record: dict, now: datetime) -> dict:
    """One DynamoDB stream record (INSERT of a USER#… / NOTIF#… item)."""
    return deliver(store.message_from_image(record["dynamodb"]["NewImage"]), now)


def deliver(message: InboxItem, now: datetime) -> dict:
    """Send every unit of the message not yet done; raise DeliveryFailed if any is left.

    The INBOX channel is the item itself (written with the transition): nothing to do.
    A failure puts the message in the retry index before raising (the stream retries too)."""
    people, bookings = _read_for_rendering([message], also_users=(message.recipient_id,))
    recipient = people.get(message.recipient_id)
    name, contact = _name_and_contact(message, message.recipient_role, people, bookings)
    body = notifications.render(message.body, name, contact)
    if recipient is None or recipient.status == UserStatus.DELETED:
        store.clear_retry(message)
        return {"skipped": list(message.channels)}  # nothing sent, nothing written
    ref = store.ref_of(message)
    failures: dict[str, str] = {}
    for channel in message.channels:
        if not rules.channel_allowed(channel, recipient.muted_channels):
            if channel == Channel.WHATSAPP and _sms_instead(message, recipient):
                channel = SMS  # SPEC §16: an opted-out number still hears of confirmations by SMS
            else:
                continue  # turned off by the recipient (SPEC §15): nothing sent, nothing written
        for unit, send in _units(message, body, recipient, channel, now, (name, contact)):
            try:
                _deliver_unit(ref, unit, send, now)
            except Exception as error:  # noqa: BLE001 - every unit gets its chance
                failures[unit] = f"{type(error).__name__}: {error}"
    if failures:
        logger.warning("notification units failed",
                       extra={"messageId": message.message_id, "failures": failures})
        store.mark_for_retry(message)
        raise DeliveryFailed(f"message {message.message_id}: {sorted(failures)} failed")
    store.clear_retry(message)
    logger.info("notification delivered", extra={"messageId": message.message_id, "type": message.type,
                                                 "bookingId": message.booking_id, "channels": message.channels})
    return {"delivered": list(message.channels)}


def _units(message: InboxItem, body: str, recipient: users.UserItem, channel: str,
           now: datetime, filling: tuple[str, str | None]) -> list[tuple[str, Callable[[], str | None]]]:
    """``body``: the text rendered for sending; the inbox keeps the stored one (rendered when read).
    ``filling``: the other party's name and contact, for the template's variables."""
    if channel == Channel.INBOX:
        return []  # the notification item is the inbox entry: delivered when it was written
    if channel == Channel.WHATSAPP:
        return [(Channel.WHATSAPP, lambda: _send_whatsapp(message, body, recipient, now, filling))]
    if channel == SMS:
        return [(SMS, lambda: send_sms(message, body, recipient, now))]
    if channel == Channel.PUSH:
        return [(rules.push_unit(device.token), _push_sender(message, body, device, now))
                for device in store.user_devices(recipient.user_id)]
    logger.error("unknown notification channel", extra={"channel": channel})
    return []


def _send_whatsapp(message: InboxItem, body: str, recipient: users.UserItem, now: datetime,
                   filling: tuple[str, str | None]) -> str:
    """SPEC §16: to the account's verified phone; a template by Content SID, or free-form text
    only inside the number's 24-hour window (a message without template variables)."""
    _require_verified_phone(recipient)
    if os.environ.get("WHATSAPP_CHANNEL", "on") == "off":  # the operator's switch (docs/operations.md)
        raise Undeliverable("the WhatsApp channel is turned off")
    if not recipient.phone:
        raise Undeliverable("the recipient has no phone")
    out = whatsapp.Outgoing(recipient.phone, message.message_id,
                            whatsapp.status_callback_url(str(store.ref_of(message)), Channel.WHATSAPP))
    template = templates.template_for(message.type)
    if template is not None and message.variables:
        variables = templates.content_variables(template, _filled(message.variables, *filling),
                                                _button_payloads(template, message))
        return whatsapp.sender().send_template(out, template, whatsapp_content.content_sid(template.name),
                                               variables, now)
    if actions_rules.in_session(whatsapp_store.last_inbound(recipient.phone), now):
        return whatsapp.sender().send_text(out, rules.whatsapp_text(message.title, body), now)
    raise Undeliverable("no template for this message and the 24-hour window is closed")


def _filled(values: list[str], name: str, contact: str | None) -> list[str]:
    """The stored values with the {name}/{contact} placeholders filled now (SPEC §13)."""
    fills = {notifications.NAME: name, notifications.CONTACT: contact or "dans l'application Khadamat"}
    return [fills.get(value, value) for value in values]


def _button_payloads(template: templates.Template, message: InboxItem) -> dict[int, str]:
    """The new-request's « Confirmer » / « Refuser », signed for this booking and this pro."""
    if not template.buttons:
        return {}
    secret = config.whatsapp_action_secret()
    actions = {"Confirmer": actions_rules.CONFIRM, "Refuser": actions_rules.DECLINE}
    return {b.payload_variable: actions_rules.sign_payload(secret, actions[b.title], message.booking_id,
                                                           message.recipient_id)
            for b in template.buttons}


def _sms_instead(message: InboxItem, recipient: users.UserItem) -> bool:
    return (actions_rules.needs_sms_fallback(message.type)
            and rules.channel_allowed(SMS, recipient.muted_channels))


def send_sms(message: InboxItem, body: str, recipient: users.UserItem, now: datetime) -> str:
    """Plain text to the verified phone (SPEC §16's SMS fallback); Privacy Shield as rendered."""
    _require_verified_phone(recipient)
    if not recipient.phone:
        raise Undeliverable("the recipient has no phone")
    out = whatsapp.Outgoing(recipient.phone, message.message_id,
                            whatsapp.status_callback_url(str(store.ref_of(message)), SMS))
    return whatsapp.sender().send_sms(out, f"Khadamat - {message.title} : {body}", now)


def _require_verified_phone(recipient: users.UserItem) -> None:
    """SPEC §15: nothing but a Verify code ever goes to a phone its owner has not proven
    (checked here, where messages leave, whoever queued them): the unit is SKIPPED."""
    if not recipient.phone_verified:
        raise Undeliverable("the recipient's phone is not verified")


def _push_sender(message: InboxItem, body: str, device: store.DeviceItem,
                 now: datetime) -> Callable[[], str]:
    def send() -> str:
        data = {"type": message.type, "notificationId": message.message_id,
                "bookingId": message.booking_id or ""}
        try:
            return push.sender().send(token=device.token, platform=device.platform,
                                      title=message.title, body=body, data=data,
                                      message_id=message.message_id, now=now)
        except DeadDeviceToken:
            store.forget_device(device.user_id, device.token)
            raise

    return send


def _deliver_unit(ref: store.MessageRef, unit: str, send: Callable[[], str | None], now: datetime) -> None:
    claim_id = str(uuid.uuid4())
    if not store.claim(ref, unit, claim_id, now, now + rules.SEND_LEASE):
        if store.unit_state(ref, unit) in (store.SENT, store.SKIPPED):
            return  # already done by an earlier delivery of this message
        raise UnitInFlight(f"{unit} is being sent by another attempt")
    try:
        provider_id = send()
    except Undeliverable as error:
        store.finish(ref, unit, claim_id, store.SKIPPED, now, note=str(error))
        return
    except BaseException:
        store.release(ref, unit, claim_id)
        raise
    store.finish(ref, unit, claim_id, store.SENT, now, provider_id=provider_id)


def send_fallback_sms(message: InboxItem, now: datetime) -> None:
    """SPEC §16: the WhatsApp of a confirmation or cancellation failed: once as an SMS (the SMS
    unit's claim makes it once however many failure callbacks arrive)."""
    people, bookings = _read_for_rendering([message], also_users=(message.recipient_id,))
    recipient = people.get(message.recipient_id)
    if recipient is None or recipient.status == UserStatus.DELETED:
        return
    if not rules.channel_allowed(SMS, recipient.muted_channels):
        return  # the recipient turned SMS off (SPEC §15)
    body = rendered_body(message, message.recipient_role, people, bookings)
    _deliver_unit(store.ref_of(message), SMS, lambda: send_sms(message, body, recipient, now), now)


def redeliver_stuck(now: datetime) -> dict:
    """The safety net behind the stream: retry the messages whose delivery failed (GSI3
    NOTIF_RETRY, a Query); give up after 24 h."""
    summary = {"redelivered": 0, "failed": 0, "gaveUp": 0}
    stuck = store.messages_to_retry(created_before=now - rules.STUCK_AFTER, limit=100)  # oldest first
    business_metrics.backlog_age(business_metrics.OUTBOX_BACKLOG_AGE,
                                 (now - from_storage(stuck[0].created_at)).total_seconds() if stuck else 0)
    for message in stuck:
        logger.set_correlation_id(message.correlation_id)  # the booking's originating request
        if rules.should_give_up(from_storage(message.created_at), now):
            store.mark_failed(message, now)
            logger.error("notification given up", extra={"messageId": message.message_id})
            summary["gaveUp"] += 1
            continue
        try:
            deliver(message, now)
            summary["redelivered"] += 1
        except (DeliveryFailed, UnitInFlight):
            summary["failed"] += 1
    return summary


# ---------------------------------------------------------------- rendering (SPEC §13)
def _read_for_rendering(messages: list, also_users: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """The messages' other parties (and ``also_users``) and the bookings of their CONFIRMED
    messages, in one BatchGetItem: {userId: UserItem}, {bookingId: BookingItem}."""
    from khadamat.dal.base import get_items
    from khadamat.dal.bookings import BookingItem, booking_pk

    user_ids = sorted({*also_users, *(m.counterpart_id for m in messages if m.counterpart_id)})
    booking_ids = sorted({m.booking_id for m in messages
                          if m.type == notifications.CONFIRMED_TYPE and m.booking_id})
    keys = [(users.UserItem, *users.user_key(i)) for i in user_ids]
    keys += [(BookingItem, booking_pk(i), "BOOKING") for i in booking_ids]
    found = get_items(keys) if keys else []
    people = {i: item for i, item in zip(user_ids, found) if item is not None}
    bookings = {i: item for i, item in zip(booking_ids, found[len(user_ids):]) if item is not None}
    return people, bookings


def _name_and_contact(message, recipient_role: str, people: dict, bookings: dict) -> tuple[str, str | None]:
    """The other party's name, and the pro's contact on a message about a booking that is
    CONFIRMED now (Privacy Shield); an erased party is named by role only."""
    role = "PRO" if recipient_role == "CLIENT" else "CLIENT"
    other = people.get(message.counterpart_id) if message.counterpart_id else None
    live = other is not None and other.status != UserStatus.DELETED
    name = notifications.party_name(role, getattr(other, "first_name", None),
                                    getattr(other, "last_name", None), live)
    booking = bookings.get(message.booking_id)
    contact = None
    if live and role == "PRO" and booking is not None and phones_visible(Status(booking.status), False):
        contact = other.whatsapp or other.phone
    return name, contact


def rendered_body(message, recipient_role: str, people: dict, bookings: dict) -> str:
    """The stored text with the other party's name and contact (``_name_and_contact``)."""
    return notifications.render(message.body, *_name_and_contact(message, recipient_role, people, bookings))


# ---------------------------------------------------------------- inbox
def _notification_view(item: store.InboxItem, body: str) -> dict:
    return {"id": item.notification_id, "type": item.type, "title": item.title, "body": body,
            "bookingId": item.booking_id, "createdAt": to_local_iso(from_storage(item.created_at)),
            "readAt": to_local_iso(from_storage(item.read_at)) if item.read_at else None}


def inbox_views(user: users.UserItem, items: list[store.InboxItem]) -> list[dict]:
    """Inbox items as GET /me/notifications shows them (also the data export, usecases.privacy):
    rendered for the reader now, one BatchGetItem for the other parties and bookings."""
    people, bookings = _read_for_rendering(items)
    return [_notification_view(item, rendered_body(item, user.role, people, bookings)) for item in items]


def list_notifications(user: users.UserItem, limit: int, next_token: str | None) -> dict:
    scope = PageScope("GET /me/notifications", user.user_id)
    items, token = store.inbox_page(user.user_id, limit, next_token, scope)
    return {"items": inbox_views(user, items), "nextToken": token}


def mark_read(user: users.UserItem, notification_id: str, now: datetime) -> None:
    item = store.find_inbox_item(user.user_id, notification_id)
    if item is None:
        raise NotFound("no such notification")
    store.mark_read(item, now)


# ---------------------------------------------------------------- devices
def register_device(user: users.UserItem, platform: str, token: str, now: datetime) -> dict:
    store.register_device(user.user_id, token, platform, now)
    return {"token": token, "platform": platform}


def remove_device(user: users.UserItem, token: str) -> None:
    if not store.remove_device(user.user_id, token):
        raise NotFound("no such device")
