"""Phone codes through Twilio Verify (official ``twilio`` SDK), or the local stand-in.

Twilio makes, sends and checks the codes (one pending verification per number and service:
Verify knows nothing of purposes; khadamat.dal.otp binds purpose and requester). Deployed:
the Twilio secret of adapters/whatsapp.py, extended with ``verifyServiceSid``. Local stage:
the stand-in keeps each code hashed in the table (``DEV#VERIFY#<e164>``, ttl 10 minutes,
5 checks) and shows it in GET /_dev/outbox (type OTP), unless TWILIO_CREDENTIALS names a
Verify service (then the real SDK is used).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from khadamat.adapters.errors import SendFailed
from khadamat.domain.accounts import OTP_MAX_CHECKS, OTP_TTL
from khadamat.domain.timeutil import to_storage

TIMEOUT_S = 5  # a slow Twilio must not hold the signup screen: the send then retries by SMS


class CheckFailed(Exception):
    """Twilio could not answer the check (outage, timeout): the code is not accepted."""


def _http_client():
    from twilio.http.http_client import TwilioHttpClient

    return TwilioHttpClient(timeout=TIMEOUT_S)


class TwilioVerify:
    def __init__(self, account_sid: str, auth_token: str, service_sid: str, http_client=None):
        from twilio.rest import Client  # twilio is imported only here

        from khadamat.observability import tracer

        tracer.patch(("requests",))  # X-Ray: the SDK's HTTP calls (see khadamat.observability)
        self.service = Client(account_sid, auth_token,
                              http_client=http_client or _http_client()).verify.v2.services(service_sid)

    def start(self, *, to_e164: str, channel: str, now: datetime) -> str:
        """Sends a code by ``channel`` (whatsapp or sms); the verification's sid."""
        from twilio.base.exceptions import TwilioException

        try:
            return self.service.verifications.create(to=to_e164, channel=channel).sid
        except TwilioException as error:
            raise SendFailed(f"twilio verify: {error}") from error
        except OSError as error:  # timeouts and connection errors of the HTTP client
            raise SendFailed(f"twilio verify unreachable: {error}") from error

    def check(self, *, to_e164: str, code: str, now: datetime) -> bool:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            return self.service.verification_checks.create(to=to_e164, code=code).status == "approved"
        except TwilioRestException as error:
            if error.status == 404:  # no pending verification: expired, approved or cancelled
                return False
            raise CheckFailed(f"twilio verify: {error}") from error
        except (TwilioException, OSError) as error:
            raise CheckFailed(f"twilio verify: {error}") from error


class LocalVerify:
    """Behaves as Verify does: one pending code per number, 10 minutes, 5 checks, used once."""

    def start(self, *, to_e164: str, channel: str, now: datetime) -> str:
        from khadamat.dal import dev

        code = f"{secrets.randbelow(10**6):06d}"
        sid = f"VELOCAL{secrets.token_hex(8)}"
        dev.save_local_code(to_e164, _digest(to_e164, code), now + OTP_TTL)
        dev.record_sent(f"{to_storage(now)}#{sid}#OTP", "OTP",
                        {"type": "OTP", "to": to_e164, "channel": channel, "code": code, "sid": sid})
        return sid

    def check(self, *, to_e164: str, code: str, now: datetime) -> bool:
        from khadamat.dal import dev

        digest = dev.count_local_check(to_e164, now, OTP_MAX_CHECKS)
        if digest is None or not hmac.compare_digest(digest, _digest(to_e164, code)):
            return False
        dev.forget_local_code(to_e164)
        return True


def _digest(e164: str, code: str) -> str:
    return hashlib.sha256(f"{e164}:{code}".encode()).hexdigest()


def verifier():
    from khadamat.adapters.whatsapp import twilio_credentials

    credentials = twilio_credentials() or {}
    if not credentials.get("verifyServiceSid"):
        from khadamat import config

        if config.is_local():
            return LocalVerify()
        raise SendFailed("the Twilio secret has no verifyServiceSid")
    return TwilioVerify(credentials["accountSid"], credentials["authToken"],
                        credentials["verifyServiceSid"])
