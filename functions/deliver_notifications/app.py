"""Consumes the table's stream (outbox inserts only, by FilterCriteria) and delivers each message.

A record that fails is reported in batchItemFailures: Lambda retries from it (records
after it are re-delivered too, which the per-unit claims make harmless), then bisects,
then sends the batch's coordinates to the dead-letter queue.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from khadamat import clock
from khadamat.observability import logger, metrics, tracer
from khadamat.usecases import notifications

# Every failed record is reported, even when all fail: Lambda then retries from the first
# failure the same way (one behaviour to reason about, and the local pump shares it).
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def deliver_record(record: DynamoDBRecord) -> dict:
    return notifications.deliver_stream_record(record.raw_event, now=clock.now())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event, context):
    clock.begin_invocation()
    return process_partial_response(event=event, record_handler=deliver_record,
                                    processor=processor, context=context)
