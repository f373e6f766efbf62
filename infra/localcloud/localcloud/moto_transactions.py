"""Item-level rollback for moto's DynamoDB TransactWriteItems, shared by the local cloud's
DynamoDB provider (``localcloud.dynamodb``) and the unit tests' moto.

moto backs a transaction up by deep-copying every table of the backend and restores the copy
if the transaction fails: 875 ms per call at 20,000 items, so a test or a local cloud with a
few thousand items spends its time copying. Here only the items the transaction names are
snapshotted and restored, so a transaction costs the same at any table size. Plain moto; no
LocalStack import.
"""

from __future__ import annotations

import copy
import types
from typing import Any


class _CopyWithoutTables(types.ModuleType):
    """Stands in for ``copy`` inside moto's DynamoDB backend module: deep copies of whole
    tables (moto's transaction backup) become references; everything else is copied as usual.
    The rollback they served is done item by item in ``_transact_write_items``."""

    def __init__(self, table_type: type) -> None:
        super().__init__("copy")
        self._table_type = table_type
        self.copy = copy.copy

    def deepcopy(self, obj: Any, memo: dict | None = None) -> Any:
        if isinstance(obj, self._table_type):
            return obj
        return copy.deepcopy(obj, memo)


def _touched_items(backend, transact_items: list[dict]) -> list[tuple[Any, Any, Any, Any]]:
    """Snapshot (table, hash key, range key, deep copy of the item or None) for each item a
    transaction names. Unknown tables and malformed keys are skipped: moto rejects those
    before writing anything."""
    snapshots = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        try:
            table = backend.get_table(op["TableName"])
            if "Item" in op:
                attrs = op["Item"]
                keys = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    keys[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                keys = op["Key"]
            hash_key, range_key = backend.get_keys_value(table, keys)
            current = table.get_item(hash_key, range_key)
        except Exception:  # noqa: S112 - moto raises the proper error for this item itself
            continue
        snapshots.append((table, hash_key, range_key, copy.deepcopy(current)))
    return snapshots


def _restore(snapshots: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_key, range_key, item in reversed(snapshots):
        if range_key is not None:
            bucket = table.items[hash_key]
            if item is None:
                bucket.pop(range_key, None)
            else:
                bucket[range_key] = item
        elif item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item


def install_item_level_transactions() -> None:
    """Patch moto's DynamoDB backend so TransactWriteItems rolls back item by item.

    Idempotent. Raises RuntimeError if moto's internals no longer look as expected (the guard
    test in tests/localcloud/test_guard.py checks the same)."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    backend_type = models.DynamoDBBackend
    if getattr(backend_type.transact_write_items, "_titan", False):
        return
    if models.copy is not copy:
        raise RuntimeError("moto.dynamodb.models no longer imports copy as expected")
    original = backend_type.transact_write_items

    def _transact_write_items(self, transact_items):
        snapshots = _touched_items(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            _restore(snapshots)
            raise

    _transact_write_items._titan = True
    models.copy = _CopyWithoutTables(Table)
    backend_type.transact_write_items = _transact_write_items
