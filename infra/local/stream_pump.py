"""Local stand-in for the table's stream (moto has no stream reader): one pump, two sources.

Each source feeds a stream consumer its items, as in AWS:
- GSI3 ``TASK_PENDING`` → BookingFollowUpsFunction (a confirm's follow-up task, docs/bookings.md);
- the notification INSERTs (``USER#… / NOTIF#…``) of the stand-in stream
  (infra.local.table_stream, filtered by the function's FilterCriteria) →
  DeliverNotificationsFunction (docs/notifications.md).
A thread polls each source every POLL_S seconds (an index Query, never a scan) and feeds what it
finds to the SAME handler, as the DynamoDB stream event Lambda would send. A failed item is
retried with exponential backoff, MAX_ATTEMPTS times like the template's MaximumRetryAttempts;
then it is left for the source's job (POST /_dev/jobs/<job>), as in AWS: a task in its index, a
message in GSI3 NOTIF_RETRY (where its failed delivery put it).
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from infra.local import table_stream
from infra.local.lambda_runtime import REGISTRY, HandlerRegistry, invoke
from infra.local.template import ACCOUNT_ID, REGION, Template, physical_name

POLL_S = 0.2
MAX_ATTEMPTS = 6  # the first try and 5 retries
BACKOFF_S = 0.5
BATCH = 25


@dataclass(frozen=True)
class Source:
    function_id: str
    pending: Callable[[], list]  # newest first: items that keep failing never hide a new one
    key: Callable[[object], str]
    job: str  # what retries an item once the pump gave up
    done: Callable[[list], None] = lambda items: None  # delivered, or given up: stop offering them


def _pending_tasks() -> list:
    from khadamat.dal.tasks import pending_tasks  # the dal reads TABLE_NAME when imported

    return pending_tasks(limit=BATCH, newest_first=True)


class _InsertedMessages:
    """Notification INSERTs read from the stand-in stream and not yet handled by the pump."""

    def __init__(self, function_id: str):
        self.function_id = function_id
        self.reader: table_stream.StreamReader | None = None
        self.outstanding: dict[str, object] = {}
        self.generation = table_stream.generation()
        self.lock = threading.Lock()

    def pending(self) -> list:
        from khadamat.dal.notifications import message_from_image  # reads TABLE_NAME when imported

        with self.lock:
            if self.generation != table_stream.generation():  # a new table: forget the old one's
                self.outstanding.clear()
                self.generation = table_stream.generation()
            if self.reader is None:  # from the stream's start, as StartingPosition TRIM_HORIZON
                self.reader = table_stream.StreamReader(
                    table_stream.function_patterns(Template(), self.function_id))
            for record in self.reader.read():
                message = message_from_image(record["dynamodb"]["NewImage"])
                self.outstanding[message.message_id] = message
            return list(reversed(self.outstanding.values()))[:BATCH]  # newest first

    def done(self, items: list) -> None:
        with self.lock:
            for item in items:
                self.outstanding.pop(item.message_id, None)


_MESSAGES = _InsertedMessages("DeliverNotificationsFunction")
def written_messages(template: Template) -> list:
    """Every notification the stand-in stream has carried so far (tests and benches that
    deliver "what the stream would", without the pump)."""
    from khadamat.dal.notifications import message_from_image

    return [message_from_image(record["dynamodb"]["NewImage"])
            for record in table_stream.records_for(template, "DeliverNotificationsFunction")]


FOLLOW_UPS = Source("BookingFollowUpsFunction", _pending_tasks, lambda task: task.task_id,
                    "retry-follow-ups")
OUTBOX = Source("DeliverNotificationsFunction", _MESSAGES.pending, lambda message: message.message_id,
                "redeliver-notifications", _MESSAGES.done)
# Follow-ups first: the messages their declines write go out in the same round.
SOURCES = (FOLLOW_UPS, OUTBOX)


def stream_record(item) -> dict:
    """The stream record of an item's INSERT (StreamViewType NEW_IMAGE)."""
    image = item.serialize()
    table = physical_name("KhadamatTable")
    return {
        "eventID": uuid.uuid4().hex, "eventName": "INSERT", "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": REGION,
        "dynamodb": {"ApproximateCreationDateTime": time.time(),
                     "Keys": {"PK": image["PK"], "SK": image["SK"]}, "NewImage": image,
                     "SequenceNumber": str(time.time_ns()), "SizeBytes": len(str(image)),
                     "StreamViewType": "NEW_IMAGE"},
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{table}/stream/local",
    }


def stream_event(items) -> dict:
    return {"Records": [stream_record(item) for item in items]}


class StreamPump:
    def __init__(self, template: Template, sources: tuple[Source, ...] = SOURCES,
                 registry: HandlerRegistry = REGISTRY, backoff_s: float = BACKOFF_S):
        self.sources = [(source, template.function(source.function_id)) for source in sources]
        self.backoff_s = backoff_s
        self.registry = registry
        self.stop_event = threading.Event()
        self.attempts: dict[str, int] = {}
        self.not_before: dict[str, float] = {}

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="stream-pump", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        for _source, function in self.sources:  # load them now: the first run is not a cold start
            self.registry.handler(function)
        while not self.stop_event.wait(POLL_S):
            try:
                self.pump_once()
            except Exception as error:  # keep pumping; a bad round is logged, not fatal
                print(f"stream pump: {type(error).__name__}: {error}", file=sys.stderr)

    def pump_once(self) -> int:
        return sum(self._pump(source, function) for source, function in self.sources)

    def _pump(self, source: Source, function) -> int:
        now = time.monotonic()
        due = [item for item in source.pending()
               if self.attempts.get(source.key(item), 0) < MAX_ATTEMPTS
               and self.not_before.get(source.key(item), 0) <= now]
        if not due:
            return 0
        try:
            result = invoke(function, stream_event(due), self.registry) or {}
            failed = bool(result.get("batchItemFailures"))
        except Exception as error:  # a crashed invocation: Lambda retries the whole batch
            print(f"stream pump: {source.function_id} failed: {type(error).__name__}: {error}",
                  file=sys.stderr)
            failed = True
        if failed:
            self._back_off(source, due)
        else:
            source.done(due)
        return len(due)

    def _back_off(self, source: Source, due: list) -> None:
        # Like Lambda: retry from the first failed record (later ones are re-sent, harmlessly).
        for item in due:
            key = source.key(item)
            attempts = self.attempts.get(key, 0) + 1
            self.attempts[key] = attempts
            self.not_before[key] = time.monotonic() + self.backoff_s * 2 ** (attempts - 1)
            if attempts == MAX_ATTEMPTS:
                source.done([item])
                print(f"stream pump: {key} ({source.function_id}) failed {attempts} times; "
                      f"left for the {source.job} job", file=sys.stderr)
