"""The Lambda entry points of the functions that are not HTTP: scheduled jobs and DynamoDB
stream consumers (Powertools logger/tracer/metrics from khadamat.observability)."""

from __future__ import annotations

from khadamat import clock
from khadamat.observability import follow_record, logger, metrics, tracer


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
