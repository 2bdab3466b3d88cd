"""One place for Powertools logger, tracer and metrics, and the Lambda entry point."""

from __future__ import annotations

import re
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from khadamat import clock

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


def http_entry(app):
    """The lambda_handler of an HTTP function, in order: observability; SPEC §1's request rules
    (path ids, body); authentication; ``app.resolve``; the security headers on every answer."""
    from khadamat.api.resolver import check_request, error_result, secure_response
    from khadamat.domain.errors import DomainError

    if app.roles is not None:  # public functions skip auth's imports (pynamodb, jwt, phonenumbers)
        from khadamat.api.auth import authenticate

    def answer(event, context) -> dict:
        from khadamat.api import throttle

        if (deferred := throttle.deferred_hit(event)) is None:
            return checked_answer(event, context)
        app.append_context(source_ip_hit=deferred)  # counted in the use case's transaction
        result = checked_answer(event, context)
        refusal = deferred.settle()  # ... or here, alone, when none carried it
        return error_result(refusal) if refusal is not None else result

    def checked_answer(event, context) -> dict:
        if (refusal := _source_ip_refusal(event)) is not None:
            return error_result(refusal)  # counted before anything else runs, malformed or not
        try:
            check_request(app, event)  # no round trip is spent on a request that breaks §1
            if app.roles is not None:
                prefetch = app.prefetch(event) if app.prefetch else None
                user, items = authenticate(event.get("headers"), app.roles, prefetch)
                app.append_context(caller=user, prefetched=items)
        except DomainError as error:
            return error_result(error)
        return app.resolve(event, context)

    # clear_state: keys appended for one request (booking_correlation_id) never reach the next
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event, context):
        clock.begin_invocation()
        app.clear_context()  # the module stays warm between invocations: nothing read survives
        return secure_response(event, answer(event, context))

    return lambda_handler


def _source_ip_refusal(event):
    """The /auth/* routes' per-IP limit (khadamat.api.throttle), before anything else runs."""
    from khadamat.api import throttle
    from khadamat.domain.errors import RateLimited

    if not throttle.is_ip_throttled_route(event) or throttle.deferred_hit(event) is not None:
        return None
    try:
        throttle.check_source_ip(event)
    except RateLimited as refusal:
        return refusal
    return None


def job_entry(run_job):
    """The lambda_handler of a scheduled job: ``run_job()`` returns its JSON summary."""

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event, context):
        clock.begin_invocation()
        logger.set_correlation_id(getattr(context, "aws_request_id", None))  # what the job writes
        summary = run_job()
        logger.info("job finished", extra={"summary": summary})
        return summary

    return lambda_handler


def stream_entry(run_record):
    """The lambda_handler of a DynamoDB stream consumer: ``run_record(raw_record, now)`` per record.

    A record that raises is reported in batchItemFailures (ReportBatchItemFailures): Lambda
    retries from it, then bisects, then sends the batch's coordinates to the on-failure queue.
    """
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    # Every failed record is reported, even when all fail: Lambda then retries from the first
    # failure the same way (one behaviour to reason about, and the local pump shares it).
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)

    def record_handler(record):
        follow_record(record.raw_event)
        return run_record(record.raw_event, clock.now())

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event, context):
        clock.begin_invocation()
        return process_partial_response(event=event, record_handler=record_handler,
                                        processor=processor, context=context)

    return lambda_handler


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
