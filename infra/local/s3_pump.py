"""Local stand-in for S3 event notifications (moto sends none): ObjectCreated → the function.

For each `AWS::Serverless::Function` event of type S3 in template.yaml (today: the photo
uploads bucket → ProcessProPhotoFunction), a thread lists the bucket under the event's prefix
every POLL_S seconds and invokes the SAME handler with the event S3 would send for each
object version not seen yet. Like Lambda's asynchronous invocation, a failed invocation is
retried twice, with a backoff. The handler deletes what it processed, so the listing stays small.
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote_plus

from infra.local.lambda_runtime import REGISTRY, HandlerRegistry, invoke
from infra.local.template import REGION, Template

POLL_S = 0.2
MAX_ATTEMPTS = 3  # Lambda's asynchronous invocations: the first try and 2 retries
BACKOFF_S = 0.5


@dataclass(frozen=True)
class Notification:
    function_id: str
    bucket: str
    prefix: str


def notifications(template: Template) -> list[Notification]:
    found = []
    for function in template.functions:
        for event in function.events.values():
            if event.get("Type") != "S3":
                continue
            props = event.get("Properties") or {}
            bucket = props["Bucket"]  # the template loader resolved the Ref to the local name
            rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
            prefix = next((r["Value"] for r in rules if r.get("Name", "").lower() == "prefix"), "")
            found.append(Notification(function.logical_id, bucket, prefix))
    return found


def s3_event(bucket: str, key: str, size: int, etag: str, version_id: str | None) -> dict:
    """The event S3 sends for one ObjectCreated:Post (keys are URL-encoded, as S3 does)."""
    obj = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag.strip('"'), "sequencer": uuid.uuid4().hex[:16]}
    if version_id:
        obj["versionId"] = version_id
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "eventName": "ObjectCreated:Post", "userIdentity": {"principalId": "local"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"}, "responseElements": {},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "local",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "local"},
                          "arn": f"arn:aws:s3:::{bucket}"},
               "object": obj}}]}


class S3Pump:
    def __init__(self, template: Template, registry: HandlerRegistry = REGISTRY, s3=None,
                 backoff_s: float = BACKOFF_S):
        self.targets = [(n, template.function(n.function_id)) for n in notifications(template)]
        self.registry = registry
        self.backoff_s = backoff_s
        self._s3 = s3
        self.stop_event = threading.Event()
        self.attempts: dict[tuple, int] = {}
        self.not_before: dict[tuple, float] = {}

    @property
    def s3(self):
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3", region_name=REGION)
        return self._s3

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="s3-pump", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        while not self.stop_event.wait(POLL_S):
            try:
                self.pump_once()
            except Exception as error:  # keep pumping; a bad round is logged, not fatal
                print(f"s3 pump: {type(error).__name__}: {error}", file=sys.stderr)

    def pump_once(self) -> int:
        """One round: every new object version → one invocation. Returns how many were sent."""
        sent = 0
        for notification, function in self.targets:
            listing = self.s3.list_object_versions(Bucket=notification.bucket, Prefix=notification.prefix)
            for version in listing.get("Versions", []):
                if not version.get("IsLatest", True):
                    continue
                seen = (notification.bucket, version["Key"], version.get("VersionId"))
                if self.attempts.get(seen, 0) >= MAX_ATTEMPTS or self.not_before.get(seen, 0) > time.monotonic():
                    continue
                sent += 1
                event = s3_event(notification.bucket, version["Key"], version["Size"], version["ETag"],
                                 version.get("VersionId"))
                try:
                    invoke(function, event, self.registry)
                    self.attempts[seen] = MAX_ATTEMPTS  # delivered: never again
                except Exception as error:  # noqa: BLE001 - retried like an async invocation
                    attempts = self.attempts.get(seen, 0) + 1
                    self.attempts[seen] = attempts
                    self.not_before[seen] = time.monotonic() + self.backoff_s * 2 ** (attempts - 1)
                    print(f"s3 pump: {function.logical_id} failed on {version['Key']} "
                          f"(attempt {attempts}): {type(error).__name__}: {error}", file=sys.stderr)
        return sent
