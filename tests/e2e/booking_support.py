"""A local stack whose embedded AWS endpoint the test knows, and HTTP helpers for bookings.

The pros' services and weekly hours are written straight into the table (the pros
endpoints are another area); everything else goes over HTTP.
"""

from __future__ import annotations

import itertools
import os
import queue
import subprocess
import sys
import threading

import boto3
import pytest
import requests

from infra.local.aws import EmbeddedAws
from tests.e2e.conftest import REPO_ROOT, _pump_lines, _stop, _wait_for_url
from tests.e2e.invariants import Store
from tests.conftest import name_of

PASSWORD = "motdepasse1"
ALL_WEEK = [{"dayOfWeek": day, "startMin": 0, "endMin": 1440} for day in range(7)]
_numbers = itertools.count(20_000_001)


class Stack:
    def __init__(self, url: str, endpoint: str):
        self.url, self.endpoint = url, endpoint
        self.table = boto3.resource("dynamodb", endpoint_url=endpoint,
                                    region_name=os.environ["AWS_DEFAULT_REGION"]).Table(os.environ["TABLE_NAME"])

    def call(self, method: str, path: str, token: str | None = None, body=None, headers=None):
        all_headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        return requests.request(method, f"{self.url}{path}", json=body, headers=all_headers, timeout=60)

    def post(self, path, body=None, token=None, headers=None):
        return self.call("POST", path, token, body, headers)

    def get(self, path, token=None):
        return self.call("GET", path, token)

    def account(self, role: str, **extra) -> dict:
        number = next(_numbers)
        phone = f"06{number % 100_000_000:08d}"
        from tests.e2e.flows import register

        with requests.Session() as http:  # its own address: the per-IP /auth/* limit
            http.headers["X-Forwarded-For"] = f"10.200.{number // 256 % 256}.{number % 256}"
            user_id, headers = register(self.url, http, {
                "phone": phone, "email": f"e{number}@example.ma", "password": PASSWORD,
                "firstName": "Prénom", "lastName": f"Nom {name_of(number)}", "role": role, **extra})
        return {"id": user_id, "token": headers["Authorization"].removeprefix("Bearer ")}

    def pro(self, categories=("plomberie",)) -> dict:
        pro = self.account("PRO", cityId="casablanca", whatsapp="0700000002")
        services = [{"categoryId": c, "pricingType": "FIXED", "fixedPriceMad": 200} for c in categories]
        self.table.update_item(Key={"PK": f"USER#{pro['id']}", "SK": "PROFILE"},
                               UpdateExpression="SET services = :s, weekly_hours = :w",
                               ExpressionAttributeValues={":s": services, ":w": ALL_WEEK})
        return pro

    def wait_for_follow_ups(self) -> None:
        """Until the stream pump has run the confirms' follow-up tasks (they decline SLOT_TAKEN)."""
        assert Store(self.endpoint).wait_for_follow_ups(), "follow-up tasks still pending"

    def items(self, pk: str, sk_prefix: str) -> list[dict]:
        from boto3.dynamodb.conditions import Key

        return self.table.query(KeyConditionExpression=Key("PK").eq(pk) & Key("SK").begins_with(sk_prefix),
                                ConsistentRead=True)["Items"]


@pytest.fixture(scope="module")
def booking_stack():
    """The whole local stack (no seed) over its own embedded AWS, so tests can reach the table."""
    aws = EmbeddedAws(port=0)
    endpoint = aws.start()
    env = {**os.environ, "PORT": "0", "AWS_ENDPOINT_URL": endpoint, "PYTHONUNBUFFERED": "1",
           "KHADAMAT_SEED": "none"}
    process = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, text=True)
    lines: "queue.Queue[str | None]" = queue.Queue()
    threading.Thread(target=_pump_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        yield Stack(_wait_for_url(process, lines), endpoint)
    finally:
        _stop(process)
        aws.stop()


def in_parallel(calls) -> list:
    """Runs the zero-argument callables at once (released together) and returns their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
