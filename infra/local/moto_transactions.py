"""moto's TransactWriteItems, rolled back item by item instead of by whole-table copies.

moto 5.2.5 (`DynamoDBBackend.transact_write_items`) deep-copies the whole table once for
EVERY item of a transaction, before applying any of them, to restore it if the transaction
is cancelled (TRAPS.md: ~158 ms per copy at 10,000 items, so a 6-item confirm costs ~1 s
and the local stack slows down as its table grows). Here the transaction runs with those
copies skipped, and a cancelled one is undone from copies of only the items it names
(their state before the transaction; an item that did not exist is removed again). What
moto checks and answers is unchanged; only the snapshot is smaller.

A transaction whose keys cannot be read here (malformed input) keeps moto's own copies.
Installed wherever moto serves this project: the embedded AWS (infra/local/aws.py) and
`in_process_aws` (tests, `make invoke`, the benchmarks).
"""

from __future__ import annotations

import copy
import threading
from types import SimpleNamespace
from typing import Any

_state = threading.local()  # set while this thread runs a transaction with item-level undo


def _deepcopy(value: Any, memo: dict | None = None) -> Any:
    """`copy.deepcopy` as moto's models module sees it: a table is not copied during a
    transaction that undoes itself item by item (moto then "restores" the live table)."""
    from moto.dynamodb.models.table import Table

    if getattr(_state, "item_undo", False) and isinstance(value, Table):
        return value
    return copy.deepcopy(value, memo)


def _named_items(backend: Any, transact_items: list[dict]) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash, range, copy of the item before the transaction or None) per named item."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    named = []
    for entry in transact_items:
        (op_type, op), = entry.items()
        table = backend.get_table(op["TableName"])
        attrs = op["Item"] if op_type == "Put" else op["Key"]
        hash_value = DynamoType(attrs[table.hash_key_attr])
        range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        before = table.get_item(hash_value, range_value)
        named.append((table, hash_value, range_value, copy.deepcopy(before)))
    return named


def _undo(named: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_value, range_value, before in reversed(named):
        if before is not None:
            if range_value is not None:
                table.items[hash_value][range_value] = before
            else:
                table.items[hash_value] = before
        elif range_value is not None:
            table.items.get(hash_value, {}).pop(range_value, None)
        else:
            table.items.pop(hash_value, None)


def install() -> None:
    """Idempotent."""
    from moto.dynamodb import models

    backend_class = models.DynamoDBBackend
    if getattr(backend_class.transact_write_items, "item_undo", False):
        return
    original = backend_class.transact_write_items

    def transact_write_items(self, transact_items):
        try:
            named = _named_items(self, transact_items)
        except Exception:  # malformed: moto answers it, with its own whole-table copies
            return original(self, transact_items)
        _state.item_undo = True
        try:
            return original(self, transact_items)
        except Exception:
            _undo(named)
            raise
        finally:
            _state.item_undo = False

    transact_write_items.item_undo = True
    backend_class.transact_write_items = transact_write_items
    models.copy = SimpleNamespace(deepcopy=_deepcopy)  # the `copy` module as moto's models see it
