"""Local stand-in for the table's stream → DeliverNotificationsFunction (moto has no stream reader).

A thread Queries the sparse OUTBOX_PENDING index (never a scan) every POLL_S seconds and
feeds what it finds to the SAME delivery handler, as the DynamoDB stream event Lambda
would send. A failed message is retried with exponential backoff, MAX_ATTEMPTS times
like the template's MaximumRetryAttempts; then it is left in the index for the
redelivery job (POST /_dev/jobs/redeliver-notifications), as in AWS.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid

from infra.local.lambda_runtime import REGISTRY, HandlerRegistry, invoke
from infra.local.template import ACCOUNT_ID, REGION, Template, physical_name

FUNCTION_ID = "DeliverNotificationsFunction"
POLL_S = 0.2
MAX_ATTEMPTS = 6  # the first try and 5 retries
BACKOFF_S = 0.5


def stream_record(item) -> dict:
    """The stream record of an outbox item's INSERT (StreamViewType NEW_IMAGE)."""
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


class OutboxPump:
    def __init__(self, template: Template, registry: HandlerRegistry = REGISTRY,
                 backoff_s: float = BACKOFF_S):
        self.function = template.function(FUNCTION_ID)
        self.backoff_s = backoff_s
        self.registry = registry
        self.stop_event = threading.Event()
        self.attempts: dict[str, int] = {}
        self.not_before: dict[str, float] = {}

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="outbox-pump", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        self.registry.handler(self.function)  # load it now: the first delivery is then not a cold start
        while not self.stop_event.wait(POLL_S):
            try:
                self.pump_once()
            except Exception as error:  # keep pumping; a bad round is logged, not fatal
                print(f"outbox pump: {type(error).__name__}: {error}", file=sys.stderr)

    def pump_once(self) -> int:
        from khadamat.dal.notifications import pending_messages

        now = time.monotonic()
        # Newest first: messages that keep failing never hide a new one behind them.
        due = [item for item in pending_messages(limit=25, newest_first=True)
               if self.attempts.get(item.message_id, 0) < MAX_ATTEMPTS
               and self.not_before.get(item.message_id, 0) <= now]
        if not due:
            return 0
        try:
            result = invoke(self.function, stream_event(due), self.registry) or {}
            failed = bool(result.get("batchItemFailures"))
        except Exception as error:  # a crashed invocation: Lambda retries the whole batch
            print(f"outbox pump: delivery failed: {type(error).__name__}: {error}", file=sys.stderr)
            failed = True
        if failed:
            self._back_off(due)
        return len(due)

    def _back_off(self, due: list) -> None:
        # Like Lambda: retry from the first failed record (later ones are re-sent, harmlessly).
        for item in due:
            attempts = self.attempts.get(item.message_id, 0) + 1
            self.attempts[item.message_id] = attempts
            self.not_before[item.message_id] = time.monotonic() + self.backoff_s * 2 ** (attempts - 1)
            if attempts == MAX_ATTEMPTS:
                print(f"outbox pump: message {item.message_id} failed {attempts} times; "
                      "left for the redelivery job", file=sys.stderr)
