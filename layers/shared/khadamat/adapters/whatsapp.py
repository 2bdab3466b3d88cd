"""WhatsApp through Twilio's Messaging API (official ``twilio`` SDK), or the local stand-in.

Deployed: credentials from the Secrets Manager secret named by TWILIO_SECRET_NAME, a
JSON object {"accountSid", "authToken", "whatsappFrom"} (whatsappFrom in E.164).
Local stage: the stand-in records what would have been sent (GET /_dev/outbox), unless
TWILIO_CREDENTIALS holds that JSON (then the real SDK is used).
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from khadamat import config
from khadamat.adapters.errors import SendFailed
from khadamat.dal import dev
from khadamat.domain.timeutil import to_storage

TIMEOUT_S = 5  # the delivery Lambda must outlive a slow Twilio answer


def address(e164: str) -> str:
    return f"whatsapp:{e164}"


class TwilioWhatsApp:
    def __init__(self, account_sid: str, auth_token: str, whatsapp_from: str, http_client=None):
        from twilio.http.http_client import TwilioHttpClient  # twilio is imported only here
        from twilio.rest import Client

        from khadamat.observability import tracer

        tracer.patch(("requests",))  # X-Ray: the SDK's HTTP calls (see khadamat.observability)
        self.client = Client(account_sid, auth_token,
                             http_client=http_client or TwilioHttpClient(timeout=TIMEOUT_S))
        self.sender = address(whatsapp_from)

    def send(self, *, to_e164: str, body: str, message_id: str, now: datetime) -> str:
        from twilio.base.exceptions import TwilioException

        try:
            message = self.client.messages.create(from_=self.sender, to=address(to_e164), body=body)
        except TwilioException as error:
            raise SendFailed(f"twilio: {error}") from error
        return message.sid


class LocalWhatsApp:
    def send(self, *, to_e164: str, body: str, message_id: str, now: datetime) -> str:
        sid = f"LOCAL-{message_id}"
        dev.record_sent(f"{to_storage(now)}#{message_id}#WHATSAPP", "WHATSAPP",
                        {"messageId": message_id, "to": address(to_e164), "body": body, "sid": sid})
        return sid


def _credentials() -> dict | None:
    if config.is_local():
        raw = os.environ.get("TWILIO_CREDENTIALS")
        return json.loads(raw) if raw else None
    return json.loads(config.secret("TWILIO_CREDENTIALS", "TWILIO_SECRET_NAME"))


twilio_credentials = _credentials  # one Twilio secret, shared with the Verify adapter


def sender():
    credentials = _credentials()
    if credentials is None:
        return LocalWhatsApp()
    return TwilioWhatsApp(credentials["accountSid"], credentials["authToken"],
                          credentials["whatsappFrom"])
