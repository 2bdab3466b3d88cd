"""Counts the DynamoDB requests (and the items they read) made by this process's AWS clients.

Every boto3 and pynamodb call goes through botocore's ``BaseClient._make_api_call``; the
counter wraps it while active. Under moto in-process this is exactly what the embedded
AWS receives.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from dataclasses import dataclass, field

import botocore.client


@dataclass
class Tally:
    requests: int = 0
    local_only: int = 0        # reads of DEV# items (the local stage's shared clock), not in AWS
    items_read: int = 0
    operations: Counter = field(default_factory=Counter)


def _items_read(operation: str, response: dict) -> int:
    if operation == "GetItem":
        return 1 if response.get("Item") else 0
    if "ScannedCount" in response:  # Query (the code never scans; a scan would count here too)
        return int(response["ScannedCount"])
    if operation == "BatchGetItem":
        return sum(len(items) for items in (response.get("Responses") or {}).values())
    if operation == "TransactGetItems":
        return sum(1 for entry in response.get("Responses") or [] if entry.get("Item"))
    return 0


_lock = threading.Lock()


def _is_local_only(params: dict) -> bool:
    """A request on a DEV# item: the local stage's clock and its stand-ins' records."""
    key = params.get("Key") or params.get("Item") or {}
    return str((key.get("PK") or {}).get("S", "")).startswith("DEV#")


@contextlib.contextmanager
def counting():
    """``with counting() as tally:`` — DynamoDB requests made inside the block."""
    tally = Tally()
    original = botocore.client.BaseClient._make_api_call

    def counted(client, operation_name, api_params):
        response = {}
        try:
            response = original(client, operation_name, api_params)
            return response
        finally:  # a refused request (a failed condition, a cancelled transaction) was sent too
            if client.meta.service_model.service_name == "dynamodb" and _is_local_only(api_params):
                with _lock:
                    tally.local_only += 1
            elif client.meta.service_model.service_name == "dynamodb":
                with _lock:
                    tally.requests += 1
                    tally.operations[operation_name] += 1
                    tally.items_read += _items_read(operation_name, response)

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield tally
    finally:
        botocore.client.BaseClient._make_api_call = original
