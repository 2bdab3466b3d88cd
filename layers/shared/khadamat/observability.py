"""One place for Powertools logger (secrets masked, correlation ids), tracer and metrics.

The Lambda entry points that use them are khadamat.api.entry (HTTP) and khadamat.jobs.entry
(scheduled jobs, stream consumers)."""

from __future__ import annotations

import re
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# ---------------------------------------------------------------- log masking (SPEC §1)
# Logs never hold a body, a token, a password, an OTP code or a phone: fields with these names
# are masked whatever their value (at any depth), and such values are masked inside any text
# (messages, exceptions, a logged event).
MASKED = "*****"
_SECRET_KEY = re.compile(r"authorization|password|token|secret|cookie|otp|phone|whatsapp|^code$|^body$",
                         re.IGNORECASE)
_SECRET_TEXT = re.compile(
    r"eyJ[\w-]+\.[\w-]+\.[\w-]*"                            # a JWT
    r"|(?i:bearer)\s+\S+"                                     # an Authorization value
    r"|(?:\+|\b00)\d[\d .-]{7,16}\d"                           # an international phone number
    r"|\b0[5-7](?:[ .-]?\d){8}\b")                             # a Moroccan national phone number


def masked(value):
    """``value`` with every secret field and every token or phone inside text replaced."""
    if isinstance(value, dict):
        return {key: MASKED if isinstance(key, str) and _SECRET_KEY.search(key) and value[key] not in (None, "")
                else masked(value[key]) for key in value}
    if isinstance(value, (list, tuple)):
        return [masked(item) for item in value]
    if isinstance(value, str):
        return _SECRET_TEXT.sub(MASKED, value)
    return value


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON log lines, with secrets masked (a custom formatter, as Powertools documents)."""

    def serialize(self, log: dict) -> str:
        return super().serialize(masked(log))


logger = Logger(logger_formatter=MaskingFormatter())
# X-Ray: patch botocore (every AWS call, DynamoDB through pynamodb included) at init. Patching
# everything (the default) would import requests and sqlite3 in every function; requests, the
# HTTP client of the Stripe and Twilio SDKs, is patched where those SDKs are loaded (adapters).
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()

# Most invocations publish no business metric; Powertools warns on each one otherwise.
warnings.filterwarnings("ignore", message="No application metrics to publish")


# ---------------------------------------------------------------- correlation ids (issue 21, ops)
# A booking's log records carry ``booking_correlation_id``: the API request id of the request that
# created it (stored on the booking, and on every outbox message and follow-up task written for
# it), so one search finds its create, confirm, follow-ups and deliveries (docs/operations.md).
BOOKING_CORRELATION_KEY = "booking_correlation_id"


def current_correlation_id() -> str | None:
    """The API request id of this invocation (Powertools' correlation id), if any."""
    return logger.get_correlation_id()


def follow_booking(origin_request_id: str | None) -> None:
    """From now on this invocation's log records name the booking's originating request."""
    if origin_request_id:
        logger.append_keys(**{BOOKING_CORRELATION_KEY: origin_request_id})


def follow_record(raw_record: dict) -> None:
    """A stream record's item (outbox message, task) carries its booking's originating request:
    the consumer's log records for it take that id as their correlation id."""
    image = (raw_record.get("dynamodb") or {}).get("NewImage") or {}
    origin = (image.get("correlation_id") or {}).get("S")
    logger.set_correlation_id(origin)
    logger.remove_keys([BOOKING_CORRELATION_KEY])
    follow_booking(origin)
