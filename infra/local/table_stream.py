"""Local stand-in for the table's DynamoDB stream (INSERT records, StreamViewType NEW_IMAGE).

moto 5.2.5 answers DescribeStream/GetRecords with 404 "Not yet implemented", so this process
records its own writes instead: every successful PutItem, and every Put of a successful
TransactWriteItems, becomes an INSERT record with the item as NewImage, in commit order.
The local functions, the jobs and the tests all write through this process's botocore, so the
record is the stream AWS would show for them. Not modelled: a Put that overwrites an item
(AWS: MODIFY) and an UpdateItem that creates one (AWS: INSERT) — no consumer relies on either.

Consumers read it as Lambda's event source mapping does: a ``StreamReader`` keeps its own
position and applies the template's FilterCriteria pattern of the consuming function
(``matches``: the subset the template uses, exact values and ``prefix``).
"""

from __future__ import annotations

import json
import threading
import time

import botocore.client

_LOCK = threading.Lock()
_RECORDS: list[dict] = []
_generation = [0]  # bumped by reset(): readers of a previous table start over
_installed = False


def install() -> None:
    """Wrap botocore once in this process; later calls do nothing."""
    global _installed
    with _LOCK:
        if _installed:
            return
        _installed = True
    original = botocore.client.BaseClient._make_api_call

    def recording(client, operation, params):
        result = original(client, operation, params)
        if operation == "PutItem":
            _append([params["Item"]])
        elif operation == "TransactWriteItems":
            _append([entry["Put"]["Item"] for entry in params.get("TransactItems", []) if "Put" in entry])
        return result

    botocore.client.BaseClient._make_api_call = recording


def reset() -> None:
    """A fresh table (a new in-process moto): forget the records of the previous one."""
    with _LOCK:
        _RECORDS.clear()
        _generation[0] += 1


def _append(images: list[dict]) -> None:
    with _LOCK:
        for image in images:
            _RECORDS.append({"eventName": "INSERT", "dynamodb": {
                "Keys": {"PK": image["PK"], "SK": image["SK"]}, "NewImage": image,
                "SequenceNumber": str(len(_RECORDS)), "ApproximateCreationDateTime": time.time()}})


def generation() -> int:
    """Changes when the table is new (reset): consumers drop what they held of the old one."""
    return _generation[0]


def matches(pattern: dict, record: dict) -> bool:
    """EventBridge-style filter pattern (the subset FilterCriteria in template.yaml use)."""
    for name, wanted in pattern.items():
        value = record.get(name)
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif not any(_matches_one(rule, value) for rule in wanted):
            return False
    return True


def _matches_one(rule, value) -> bool:
    if isinstance(rule, dict) and "prefix" in rule:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    return rule == value


def function_patterns(template, function_id: str) -> list[dict]:
    """The FilterCriteria patterns of the function's DynamoDB event source."""
    events = template.resources[function_id]["Properties"].get("Events", {})
    return [json.loads(entry["Pattern"]) for event in events.values() if event.get("Type") == "DynamoDB"
            for entry in event["Properties"].get("FilterCriteria", {}).get("Filters", [])]


class StreamReader:
    """One consumer's position in the stand-in stream (like an event source mapping's)."""

    def __init__(self, patterns: list[dict], from_start: bool = True):
        self.patterns = patterns
        with _LOCK:
            self.position = 0 if from_start else len(_RECORDS)
            self.generation = _generation[0]

    def read(self) -> list[dict]:
        """The matching records written since the last read."""
        with _LOCK:
            if self.generation != _generation[0]:
                self.position, self.generation = 0, _generation[0]
            new, self.position = _RECORDS[self.position:], len(_RECORDS)
        return [record for record in new if any(matches(p, record) for p in self.patterns)]


def records_for(template, function_id: str) -> list[dict]:
    """Every record so far that the function's event source would deliver to it."""
    return StreamReader(function_patterns(template, function_id)).read()
