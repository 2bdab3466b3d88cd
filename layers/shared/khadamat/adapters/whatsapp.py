"""WhatsApp and SMS through Twilio's Messaging API, templates through its Content API (official
``twilio`` SDK), or the local stand-in (SPEC §13, §16).

Deployed: credentials from the Secrets Manager secret named by TWILIO_SECRET_NAME, a
JSON object {"accountSid", "authToken", "whatsappFrom", "smsFrom"?} (numbers in E.164; SMS
goes from ``smsFrom``, else from ``whatsappFrom``).
Local stage: the stand-in records what would have been sent (GET /_dev/outbox) and signs the
webhooks it posts with the local auth token (khadamat.usecases.whatsapp_dev), unless
TWILIO_CREDENTIALS holds that JSON (then the real SDK is used).

A business-initiated WhatsApp message is a template sent by Content SID with its variables
(``send_template``); free-form text (``send_text``) only inside the person's 24-hour window.
Every send asks Twilio for status callbacks at ``status_callback`` (the signed URL names the
outbox message and unit: dal.whatsapp.record_status).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from khadamat import config
from khadamat.adapters.errors import SendFailed, Undeliverable
from khadamat.dal import dev
from khadamat.domain.timeutil import to_storage
from khadamat.domain.whatsapp_templates import Template, rendered

TIMEOUT_S = 5  # the delivery Lambda must outlive a slow Twilio answer
LOCAL_AUTH_TOKEN_ENV = "TWILIO_LOCAL_AUTH_TOKEN"
# Twilio errors that no retry can fix: the unit is SKIPPED, not retried (docs/notifications.md)
PERMANENT_ERRORS = {21211, 21408, 21610, 21614, 63003, 63016, 63024, 63032}


def address(e164: str) -> str:
    return f"whatsapp:{e164}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: ``to`` in E.164, ``message_id`` the outbox message."""

    to: str
    message_id: str
    status_callback: str | None = None


class TwilioMessaging:
    def __init__(self, account_sid: str, auth_token: str, whatsapp_from: str,
                 sms_from: str | None = None, http_client=None):
        from twilio.http.http_client import TwilioHttpClient  # twilio is imported only here
        from twilio.rest import Client

        from khadamat.observability import tracer

        tracer.patch(("requests",))  # X-Ray: the SDK's HTTP calls (see khadamat.observability)
        self.client = Client(account_sid, auth_token,
                             http_client=http_client or TwilioHttpClient(timeout=TIMEOUT_S))
        self.sender = address(whatsapp_from)
        self.sms_sender = sms_from or whatsapp_from

    def _create(self, **fields) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        fields = {key: value for key, value in fields.items() if value is not None}
        try:
            return self.client.messages.create(**fields).sid
        except TwilioRestException as error:
            if error.code in PERMANENT_ERRORS:
                raise Undeliverable(f"twilio {error.code}") from error
            raise SendFailed(f"twilio: {error.code} {error.status}") from error
        except TwilioException as error:
            raise SendFailed(f"twilio: {error}") from error

    def send_template(self, out: Outgoing, template: Template, content_sid: str,
                      variables: dict[str, str], now: datetime) -> str:
        return self._create(from_=self.sender, to=address(out.to), content_sid=content_sid,
                            content_variables=json.dumps(variables, ensure_ascii=False),
                            status_callback=out.status_callback)

    def send_text(self, out: Outgoing, body: str, now: datetime) -> str:
        return self._create(from_=self.sender, to=address(out.to), body=body,
                            status_callback=out.status_callback)

    def send_sms(self, out: Outgoing, body: str, now: datetime) -> str:
        return self._create(from_=self.sms_sender, to=out.to, body=body,
                            status_callback=out.status_callback)

    # Kept for the callers of wave 1 (free-form WhatsApp): inside the 24-hour window only.
    def send(self, *, to_e164: str, body: str, message_id: str, now: datetime) -> str:
        return self.send_text(Outgoing(to_e164, message_id), body, now)


STATUS_PATH = "/webhooks/twilio/status"
INBOUND_PATH = "/webhooks/twilio/whatsapp"
LOCAL_BASE_URL = "http://127.0.0.1:3000"


def webhook_base_url() -> str | None:
    """Where Twilio posts: PUBLIC_BASE_URL in AWS; locally the gateway's own base URL."""
    if config.is_local():
        return os.environ.get("KHADAMAT_BASE_URL") or LOCAL_BASE_URL
    return config.public_base_url()


def status_callback_url(message_ref: str, unit: str) -> str | None:
    """The signed callback names the notification (``<userId>/<notificationId>``) and the unit:
    no lookup by MessageSid needed."""
    from urllib.parse import urlencode

    base = webhook_base_url()
    return f"{base}{STATUS_PATH}?{urlencode({'m': message_ref, 'u': unit})}" if base else None


def new_local_sid() -> str:
    return "SM" + secrets.token_hex(16)


class LocalMessaging:
    """Records each message as Twilio would have taken it (GET /_dev/outbox), status ``queued``."""

    def _record(self, out: Outgoing, channel: str, now: datetime, **fields) -> str:
        sid = new_local_sid()
        dev.record_sent(f"{to_storage(now)}#{out.message_id}#{channel}#{sid}", channel,
                        {"messageId": out.message_id, "to": out.to, "messageSid": sid,
                         "statusCallback": out.status_callback, **fields})
        return sid

    def send_template(self, out: Outgoing, template: Template, content_sid: str,
                      variables: dict[str, str], now: datetime) -> str:
        buttons = [{"title": b.title, "payload": variables.get(str(b.payload_variable))}
                   for b in template.buttons]
        return self._record(out, "WHATSAPP", now, template=template.name, contentSid=content_sid,
                            variables=variables, buttons=buttons, preview=rendered(template, variables))

    def send_text(self, out: Outgoing, body: str, now: datetime) -> str:
        return self._record(out, "WHATSAPP", now, body=body)

    def send_sms(self, out: Outgoing, body: str, now: datetime) -> str:
        return self._record(out, "SMS", now, body=body)

    def send(self, *, to_e164: str, body: str, message_id: str, now: datetime) -> str:
        return self.send_text(Outgoing(to_e164, message_id), body, now)


# Wave-1 names, kept for their callers.
TwilioWhatsApp = TwilioMessaging
LocalWhatsApp = LocalMessaging


def _credentials() -> dict | None:
    if config.is_local():
        raw = os.environ.get("TWILIO_CREDENTIALS")
        return json.loads(raw) if raw else None
    return json.loads(config.secret("TWILIO_CREDENTIALS", "TWILIO_SECRET_NAME"))


twilio_credentials = _credentials  # one Twilio secret, shared with the Verify adapter


def auth_token() -> str:
    """The key of Twilio's webhook signatures: the account's auth token; locally, the stand-in's."""
    credentials = _credentials()
    if credentials is not None:
        return credentials["authToken"]
    return os.environ[LOCAL_AUTH_TOKEN_ENV]


def sender():
    credentials = _credentials()
    if credentials is None:
        return LocalMessaging()
    return TwilioMessaging(credentials["accountSid"], credentials["authToken"],
                           credentials["whatsappFrom"], credentials.get("smsFrom"))
