"""DynamoDB capacity units of the requests this process makes, by AWS's billing rules.

Wraps botocore's ``BaseClient._make_api_call`` (like infra.bench.counting) and, for every
write, reads the items it touches just before and just after (raw, uncounted GetItems
against the same embedded AWS) so that each write is priced from the real item sizes:

- item size: attribute names + values (strings/binaries by their bytes, numbers by their
  significant digits, lists/maps 3 bytes + 1 per element, booleans/null 1 byte);
- a write costs ceil(max(size before, size after) / 1 KB) write units, at least 1; a
  refused conditional write costs the same; ConditionCheck prices the item checked;
- inside TransactWriteItems every item costs double;
- each global secondary index whose entry the write adds, changes or removes costs
  ceil(entry size / 1 KB) more (projection ALL: the entry is the whole item; a key change is
  a delete and a put); an update that changes nothing writes no index;
- reads: ceil(size / 4 KB) read units per item (GetItem, BatchGetItem) or per response
  (Query), halved when eventually consistent (index Queries always are), doubled in
  TransactGetItems.

Items under ``DEV#`` (the local stage's clock and stand-in records) are not counted: they do
not exist in AWS.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import botocore.client

WRITE_UNIT, READ_UNIT = 1024, 4096
_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def attribute_value_size(value: dict) -> int:
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "B":
        return len(inner)
    if kind == "N":
        return _number_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "BS":
        return sum(len(b) for b in inner)
    if kind == "L":
        return 3 + sum(attribute_value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_value_size(v) + 1 for k, v in inner.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return math.ceil(len(digits) / 2) + 1


def item_size(item: dict | None) -> int:
    return sum(len(name.encode()) + attribute_value_size(v) for name, v in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_UNIT))
    return units if consistent else units / 2


@dataclass
class Write:
    key: str
    operation: str
    units: int            # base table, transaction doubling included
    index_units: int      # global secondary index entries added, changed or removed
    transactional: bool
    by_index: dict[str, int] = field(default_factory=dict)  # index_units per index name

    @property
    def total(self) -> int:
        return self.units + self.index_units


@dataclass
class Meter:
    indexes: dict[str, tuple[str, str]]  # index name → (hash key, range key) attribute
    writes: dict[str, list[Write]] = field(default_factory=lambda: defaultdict(list))
    reads: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    step: str = "other"

    def wcu(self, step: str | None = None) -> int:
        steps = [step] if step else list(self.writes)
        return sum(w.total for s in steps for w in self.writes.get(s, ()))

    def rcu(self, step: str | None = None) -> float:
        return sum(v for s, v in self.reads.items() if step in (None, s))

    @contextlib.contextmanager
    def at(self, step: str):
        previous, self.step = self.step, step
        try:
            yield
        finally:
            self.step = previous

    def index_units(self, before: dict | None, after: dict | None) -> int:
        return sum(self.index_breakdown(before, after).values())

    def index_breakdown(self, before: dict | None, after: dict | None) -> dict[str, int]:
        """Units per index whose entry the write adds, changes or removes."""
        result = {}
        for name, (hash_key, range_key) in self.indexes.items():
            units = 0
            old = _index_key(before, hash_key, range_key)
            new = _index_key(after, hash_key, range_key)
            if old is None and new is None:
                continue
            if old != new:  # added, removed, or moved (a delete and a put)
                units += (write_units(item_size(before)) if old else 0) + (
                    write_units(item_size(after)) if new else 0)
            elif before != after:  # projection ALL: any change rewrites the entry
                units += write_units(max(item_size(before), item_size(after)))
            if units:
                result[name] = units
        return result


def _index_key(item: dict | None, hash_key: str, range_key: str):
    if not item or hash_key not in item or range_key not in item:
        return None
    return item[hash_key], item[range_key]


def _is_local_only(key: dict) -> bool:
    return str((key.get("PK") or {}).get("S", "")).startswith("DEV#")


def _write_targets(operation: str, params: dict) -> list[tuple[str, str, dict, str]]:
    """(kind, table, key, condition-only?) of every item a write request touches."""
    if operation == "PutItem":
        return [("Put", params["TableName"], _key_of(params["Item"]), "")]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(operation[:-4], params["TableName"], params["Key"], "")]
    if operation == "TransactWriteItems":
        targets = []
        for entry in params["TransactItems"]:
            (kind, body), = entry.items()
            key = _key_of(body["Item"]) if kind == "Put" else body["Key"]
            targets.append((kind, body["TableName"], key, ""))
        return targets
    targets = []
    for table, requests in params["RequestItems"].items():  # BatchWriteItem
        for request in requests:
            if "PutRequest" in request:
                targets.append(("Put", table, _key_of(request["PutRequest"]["Item"]), ""))
            else:
                targets.append(("Delete", table, request["DeleteRequest"]["Key"], ""))
    return targets


def _key_of(item: dict) -> dict:
    return {name: item[name] for name in ("PK", "SK") if name in item}


_lock = threading.Lock()


@contextlib.contextmanager
def metering(indexes: dict[str, tuple[str, str]]):
    """``with metering(indexes) as meter, meter.at("create"): ...`` — capacity per step."""
    meter = Meter(indexes)
    original = botocore.client.BaseClient._make_api_call

    def raw_get(client, table: str, key: dict) -> dict | None:
        return original(client, "GetItem", {"TableName": table, "Key": key,
                                            "ConsistentRead": True}).get("Item")

    def metered(client, operation, params):
        if client.meta.service_model.service_name != "dynamodb" or operation not in (
                *_WRITES, "GetItem", "BatchGetItem", "Query", "TransactGetItems"):
            return original(client, operation, params)
        if operation in _WRITES:
            targets = [t for t in _write_targets(operation, params) if not _is_local_only(t[2])]
            before = [raw_get(client, table, key) for _kind, table, key, _ in targets]
            try:
                return original(client, operation, params)
            finally:
                after = [raw_get(client, table, key) for _kind, table, key, _ in targets]
                _record_writes(meter, operation, targets, before, after)
        response = {}
        try:
            response = original(client, operation, params)
            return response
        finally:
            _record_read(meter, operation, params, response)

    botocore.client.BaseClient._make_api_call = metered
    try:
        yield meter
    finally:
        botocore.client.BaseClient._make_api_call = original


def _record_writes(meter: Meter, operation: str, targets, before, after) -> None:
    transactional = operation == "TransactWriteItems"
    with _lock:
        for (kind, _table, key, _), old, new in zip(targets, before, after):
            units = write_units(max(item_size(old), item_size(new)))
            if transactional:
                units *= 2
            by_index = {} if kind == "ConditionCheck" else meter.index_breakdown(old, new)
            index = sum(by_index.values())
            label = f"{kind} {key['PK']['S'].split('#')[0]}#…/{key['SK']['S'].split('#')[0]}"
            meter.writes[meter.step].append(Write(label, operation, units, index, transactional, by_index))


def _record_read(meter: Meter, operation: str, params: dict, response: dict) -> None:
    consistent = bool(params.get("ConsistentRead"))
    units = 0.0
    if operation == "GetItem":
        if _is_local_only(params.get("Key") or {}):
            return
        units = read_units(item_size(response.get("Item")), consistent)
    elif operation == "BatchGetItem":
        for table, items in (response.get("Responses") or {}).items():
            strong = bool(params["RequestItems"].get(table, {}).get("ConsistentRead"))
            units += sum(read_units(item_size(item), strong) for item in items)
    elif operation == "TransactGetItems":
        units = sum(2 * read_units(item_size(entry.get("Item")), True)
                    for entry in response.get("Responses") or [])
    elif operation == "Query":
        items = response.get("Items") or []
        if items and all(_is_local_only(item) for item in items):
            return
        units = read_units(sum(item_size(item) for item in items),
                           consistent and "IndexName" not in params)
    with _lock:
        meter.reads[meter.step] += units
