"""Consumes the table's stream (outbox inserts only, by FilterCriteria) and delivers each message.

A record that fails is reported in batchItemFailures: Lambda retries from it (records
after it are re-delivered too, which the per-unit claims make harmless), then bisects,
then sends the batch's coordinates to the dead-letter queue.
"""

from khadamat.jobs.entry import stream_entry
from khadamat.usecases import notifications

lambda_handler = stream_entry(notifications.deliver_stream_record)
