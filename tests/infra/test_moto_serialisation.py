"""Stress the embedded AWS: concurrent PutItems mixed with failing TransactWriteItems.

moto 5.2.5's server, unserialised, answers some of these with HTTP 500 and a
cancelled transaction restores a table snapshot over other threads' writes
(TRAPS.md). With infra.local.aws's lock: no 5xx, no lost acknowledged write.
Run with KHADAMAT_MOTO_UNSAFE=1 to see it fail without the lock.
"""

import threading
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.aws import EmbeddedAws

THREADS = 50
PUTS_PER_THREAD = 20
FAILING_TRANSACTIONS_PER_THREAD = 6
PRELOADED_ITEMS = 300  # a bigger table widens moto's snapshot/restore window
TABLE = "stress"


@pytest.fixture(scope="module")
def dynamodb():
    with EmbeddedAws() as aws:
        client = boto3.client(
            "dynamodb", endpoint_url=aws.endpoint, region_name="eu-west-3",
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}, max_pool_connections=THREADS + 5,
                          read_timeout=30))
        client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
        for index in range(PRELOADED_ITEMS):
            client.put_item(TableName=TABLE, Item={"PK": {"S": f"pre-{index}"}})
        yield client


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acknowledged: set[str] = set()
        self.server_errors: list[str] = []
        self.unexpected: list[str] = []

    def record_error(self, error: ClientError) -> None:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        with self.lock:
            (self.server_errors if status >= 500 else self.unexpected).append(str(error)[:200])


def failing_transaction(client, tally: Tally, thread_id: int) -> None:
    try:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"PK": {"S": f"tx-{thread_id}-{uuid.uuid4()}"}}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": {"PK": {"S": "missing"}},
                                "ConditionExpression": "attribute_exists(PK)"}},
        ])
        with tally.lock:
            tally.unexpected.append("a transaction conditioned on a missing item succeeded")
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            tally.record_error(error)


def worker(client, tally: Tally, thread_id: int, start: threading.Barrier) -> None:
    start.wait()
    for index in range(PUTS_PER_THREAD):
        key = f"put-{thread_id}-{index}"
        try:
            client.put_item(TableName=TABLE, Item={"PK": {"S": key}})
            with tally.lock:
                tally.acknowledged.add(key)
        except ClientError as error:
            tally.record_error(error)
        if index % (PUTS_PER_THREAD // FAILING_TRANSACTIONS_PER_THREAD) == 0:
            failing_transaction(client, tally, thread_id)


def stored_keys(client) -> set[str]:
    keys, kwargs = set(), {"TableName": TABLE, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        keys.update(item["PK"]["S"] for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return keys
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_no_lost_writes_and_no_5xx_under_concurrency(dynamodb):
    tally = Tally()
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=worker, args=(dynamodb, tally, n, start)) for n in range(THREADS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    lost = tally.acknowledged - stored_keys(dynamodb)
    print(f"\nstress: {len(tally.acknowledged)} acknowledged puts, {len(lost)} lost, "
          f"{len(tally.server_errors)} HTTP 5xx, {len(tally.unexpected)} other errors, {elapsed:.1f}s")
    assert tally.server_errors == [], tally.server_errors[:3]
    assert lost == set(), f"{len(lost)} acknowledged writes lost, e.g. {sorted(lost)[:5]}"
    assert tally.unexpected == [], tally.unexpected[:3]
    assert len(tally.acknowledged) == THREADS * PUTS_PER_THREAD
