"""Twilio's webhooks (SPEC §16): inbound WhatsApp messages and delivery status callbacks.

Both verify ``X-Twilio-Signature`` with the SDK's ``RequestValidator`` over the public URL and the
form before anything else: a missing or bad signature costs one HMAC and no DynamoDB request
(403). Inbound messages are idempotent by MessageSid (a redelivery answers the stored reply).
A « Confirmer » / « Refuser » runs the SAME use cases as POST /bookings/{id}/confirm|decline
(khadamat.usecases.booking_transitions), for the account whose verified phone sent it.
"""

from __future__ import annotations

from datetime import datetime

from khadamat import business_metrics, config
from khadamat.adapters import whatsapp
from khadamat.dal import notifications as notification_store
from khadamat.dal import users
from khadamat.dal import whatsapp as store
from khadamat.domain import whatsapp_actions as rules
from khadamat.domain.accounts import UserStatus
from khadamat.domain.errors import DomainError, Forbidden
from khadamat.observability import logger

WHATSAPP_CHANNEL = "WHATSAPP"
WHATSAPP_FAILED = "WhatsAppFailed"        # a WhatsApp message ended failed/undelivered
WHATSAPP_FINISHED = "WhatsAppFinished"    # a WhatsApp message reached a final status (any)
WHATSAPP_SIGNATURE_REFUSED = "TwilioWebhookRefused"


# ---------------------------------------------------------------- signatures
def verify_signature(url: str, form: dict[str, str], signature: str | None) -> None:
    """403 unless Twilio (or the local stand-in, with the local auth token) signed this request."""
    from twilio.request_validator import RequestValidator  # imported only in the webhook functions

    if not signature or not RequestValidator(whatsapp.auth_token()).validate(url, form, signature):
        business_metrics.count(WHATSAPP_SIGNATURE_REFUSED)
        raise Forbidden("invalid Twilio signature")


def sign(url: str, form: dict[str, str]) -> str:
    """The signature Twilio would send (the local stand-in's side of the same algorithm)."""
    from twilio.request_validator import RequestValidator

    return RequestValidator(whatsapp.auth_token()).compute_signature(url, form)


def public_url(domain_name: str | None, raw_path: str, raw_query: str | None) -> str:
    """The URL Twilio signed: the configured public base (or the API's domain) + path + query."""
    base = whatsapp.webhook_base_url() or f"https://{domain_name}"
    return f"{base}{raw_path}" + (f"?{raw_query}" if raw_query else "")


# ---------------------------------------------------------------- inbound messages
def handle_inbound(url: str, form: dict[str, str], signature: str | None, now: datetime) -> str | None:
    """The reply text (free-form: the sender just wrote, the window is open), or None: no reply."""
    verify_signature(url, form, signature)
    message_sid = form.get("MessageSid") or form.get("SmsMessageSid")
    if not message_sid:
        return None
    earlier = store.claim_inbound(message_sid, now)
    if earlier is not None:
        return earlier.reply  # a redelivery: same answer, nothing changes
    reply = _act(form, now)
    store.save_reply(message_sid, reply)
    return reply


def _sender(form: dict[str, str]) -> users.UserItem | None:
    """The account whose verified phone this is (SPEC §16), else None."""
    e164 = (form.get("From") or "").removeprefix("whatsapp:")
    if not e164.startswith("+") or len(e164) > 20:
        return None
    user_id = users.find_user_id(users.phone_key(e164))
    user = users.get_user(user_id) if user_id else None
    if user is None or user.phone != e164 or not user.phone_verified or user.status == UserStatus.DELETED:
        return None
    return user


def _act(form: dict[str, str], now: datetime) -> str | None:
    user = _sender(form)
    if user is None:
        return None  # not an account's verified phone: no reply
    store.touch_session(user.phone, now)
    word = rules.keyword(form.get("Body"))
    if word is not None:
        store.record_whatsapp_consent(user, granted=word == "OPT_IN", now=now)
        logger.info("whatsapp consent", extra={"userId": user.user_id, "granted": word == "OPT_IN"})
        return rules.OPTED_IN_TEXT if word == "OPT_IN" else rules.OPTED_OUT_TEXT
    action = rules.read_payload(config.whatsapp_action_secret(), form.get("ButtonPayload"), user.user_id)
    if action is None:
        return rules.HELP_TEXT
    return _run(action, user, now)


def _run(action: rules.ButtonAction, pro: users.UserItem, now: datetime) -> str:
    from khadamat.dal.bookings import BookingRef
    from khadamat.usecases import booking_transitions  # the API's own use cases: one code path

    try:
        if action.action == rules.CONFIRM:
            booking_transitions.confirm(caller=pro, booking=BookingRef(action.booking_id),
                                        estimated_duration=None, now=now, channel=WHATSAPP_CHANNEL)
            return rules.CONFIRMED_TEXT
        booking_transitions.decline(caller=pro, booking=BookingRef(action.booking_id), reason=None,
                                    now=now, channel=WHATSAPP_CHANNEL)
        return rules.DECLINED_TEXT
    except DomainError as refused:
        logger.info("whatsapp action refused", extra={"bookingId": action.booking_id,
                                                      "action": action.action, "code": refused.code})
        return rules.reply_for_error(refused.code)


def twiml(reply: str | None) -> str:
    """Twilio's answer: a message back, or nothing."""
    from xml.sax.saxutils import escape

    if not reply:
        return '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(reply)}</Message></Response>'


# ---------------------------------------------------------------- status callbacks
def handle_status(url: str, form: dict[str, str], signature: str | None, query: dict[str, str],
                  now: datetime) -> dict:
    """Records the status on the message's delivery record, never backwards; a WhatsApp message
    about a confirmation or a cancellation that failed goes once more as an SMS."""
    verify_signature(url, form, signature)
    ref, unit = notification_store.MessageRef.parse(query.get("m")), query.get("u")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    message_sid = form.get("MessageSid") or form.get("SmsSid")
    if ref is None or unit not in (WHATSAPP_CHANNEL, "SMS") or status not in rules.STATUS_RANKS or not message_sid:
        return {"recorded": False}
    error_code = form.get("ErrorCode") or None
    recorded = store.record_status(ref, unit, message_sid, status, rules.STATUS_RANKS[status], error_code, now)
    if recorded and unit == WHATSAPP_CHANNEL and rules.STATUS_RANKS[status] >= rules.STATUS_RANKS["delivered"]:
        _count_outcome(status)
    if recorded and unit == WHATSAPP_CHANNEL and status in rules.FAILED_STATUSES:
        logger.warning("whatsapp message failed", extra={"messageId": ref.notification_id, "errorCode": error_code})
        _sms_fallback(ref, now)
    return {"recorded": recorded}


def _count_outcome(status: str) -> None:
    if status != "read":  # read follows delivered: counted once, at delivered
        business_metrics.count(WHATSAPP_FINISHED)
    business_metrics.count(WHATSAPP_FAILED, 1 if status in rules.FAILED_STATUSES else 0)


def _sms_fallback(ref: notification_store.MessageRef, now: datetime) -> None:
    from khadamat.usecases import notifications

    message = notification_store.get_message(ref)
    if message is None or not rules.needs_sms_fallback(message.type):
        return
    try:
        notifications.send_fallback_sms(message, now)
    except Exception:  # noqa: BLE001 - the callback is answered 200 either way (docs: known gaps)
        logger.exception("sms fallback failed", extra={"messageId": ref.notification_id})


def form_of(body: str | None) -> dict[str, str]:
    """Twilio's application/x-www-form-urlencoded body (an unreadable one is an empty form,
    which no signature matches)."""
    from urllib.parse import parse_qsl

    try:
        return dict(parse_qsl(body or "", keep_blank_values=True))
    except ValueError:
        return {}
