"""The local Twilio stand-in's webhooks (SPEC §16, local stage only).

``POST /_dev/whatsapp/inbound`` and ``POST /_dev/whatsapp/status`` build the form Twilio would
post, sign it with the local auth token by Twilio's algorithm (the SDK's RequestValidator), and
hand URL, form and signature to the production webhook code, which verifies them as in AWS.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from khadamat.adapters import whatsapp
from khadamat.dal import dev
from khadamat.dal import notifications as notification_store
from khadamat.domain.errors import NotFound
from khadamat.usecases import whatsapp_inbound

LOCAL_ACCOUNT_SID = "AC" + "0" * 32
LOCAL_SENDER = "whatsapp:+212500000000"


def post_inbound(sender: str, body: str | None, button_payload: str | None, message_sid: str | None,
                 now: datetime) -> dict:
    sid = message_sid or "SM" + secrets.token_hex(16)
    form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": LOCAL_ACCOUNT_SID,
            "From": whatsapp.address(sender), "To": LOCAL_SENDER, "Body": body or "", "NumMedia": "0"}
    if button_payload:
        form.update(ButtonPayload=button_payload, ButtonText=body or "", MessageType="button")
    url = f"{whatsapp.webhook_base_url()}{whatsapp.INBOUND_PATH}"
    reply = whatsapp_inbound.handle_inbound(url, form, whatsapp_inbound.sign(url, form), now)
    return {"messageSid": sid, "reply": reply, "twiml": whatsapp_inbound.twiml(reply)}


def post_status(message_sid: str, status: str, error_code: str | None, now: datetime) -> dict:
    sent = next((m for m in dev.list_sent() if m.get("messageSid") == message_sid), None)
    if sent is None or not sent.get("statusCallback"):
        raise NotFound("no message with that messageSid in the local outbox")
    url = sent["statusCallback"]
    form = {"MessageSid": message_sid, "SmsSid": message_sid, "AccountSid": LOCAL_ACCOUNT_SID,
            "MessageStatus": status, "To": sent["to"]}
    if error_code:
        form["ErrorCode"] = error_code
    query = dict(parse_qsl(urlsplit(url).query))
    result = whatsapp_inbound.handle_status(url, form, whatsapp_inbound.sign(url, form), query, now)
    return {"messageSid": message_sid, **result}


def delivery_status(sent: dict) -> str | None:
    """The current status of a WhatsApp/SMS item of the local outbox (its delivery record)."""
    url = sent.get("statusCallback")
    if not url:
        return None
    query = dict(parse_qsl(urlsplit(url).query))
    ref = notification_store.MessageRef.parse(query.get("m"))
    record = notification_store.unit_record(ref, query.get("u", "")) if ref else None
    return (record or {}).get("st") or "queued"
