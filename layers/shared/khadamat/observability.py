"""One place for Powertools logger, tracer and metrics, and the Lambda entry point."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths

from khadamat import clock

logger = Logger()
# X-Ray: patch botocore (every AWS call, DynamoDB through pynamodb included) at init. Patching
# everything (the default) would import requests and sqlite3 in every function; requests, the
# HTTP client of the Stripe and Twilio SDKs, is patched where those SDKs are loaded (adapters).
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()

# Most invocations publish no business metric; Powertools warns on each one otherwise.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def http_entry(app):
    """The lambda_handler of an HTTP function: observability, authentication, ``app.resolve``."""
    from khadamat.api.resolver import error_result
    from khadamat.domain.errors import DomainError

    if app.roles is not None:  # public functions skip auth's imports (pynamodb, jwt, phonenumbers)
        from khadamat.api.auth import authenticate

    # clear_state: keys appended for one request (booking_correlation_id) never reach the next
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event, context):
        clock.begin_invocation()
        app.clear_context()  # the module stays warm between invocations: nothing read survives
        if app.roles is not None:
            try:
                prefetch = app.prefetch(event) if app.prefetch else None
                user, items = authenticate(event.get("headers"), app.roles, prefetch)
                app.append_context(caller=user, prefetched=items)
            except DomainError as error:
                return error_result(error)
        return app.resolve(event, context)

    return lambda_handler


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
