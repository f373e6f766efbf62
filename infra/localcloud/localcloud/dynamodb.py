"""DynamoDB for the local cloud: LocalStack's bundled moto, made exact under concurrency.

LocalStack 2026.3.0 serves DynamoDB by downloading Java and DynamoDB Local, which cannot
happen offline. This provider answers every operation from LocalStack's bundled moto
instead, with two corrections measured on this stack (docs/local-cloud.md):

1. moto's DynamoDB backend is not thread-safe: 8 threads of conditional decrements oversold
   a stock of 500 and raised ``dictionary changed size during iteration``. Every request is
   therefore served under one process-wide lock, which makes conditional writes and
   transactions linearizable, as they are on AWS.
2. moto's ``TransactWriteItems`` deep-copies every table it touches to be able to roll back
   (875 ms per call at 20k items). We snapshot only the items the transaction names and
   restore those on failure, so a transaction costs the same at any table size.

Selected with ``PROVIDER_OVERRIDE_DYNAMODB=titan``; registered under the entry-point group
``localstack.aws.provider`` as ``dynamodb:titan`` (see pyproject.toml).
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.forwarder import ForwardingFallbackDispatcher
from localstack.services.moto import call_moto
from localstack.services.plugins import Service, aws_provider

#: One lock for every DynamoDB request in the process (see the module docstring).
REQUEST_LOCK = threading.RLock()


class SerialisedMotoDynamoDB(DynamodbApi):
    """A provider that implements nothing itself: every operation falls through to moto."""


def _serialised_moto(context, _request) -> Any:
    with REQUEST_LOCK:
        return call_moto(context)


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
    test in tests/unit/test_localcloud_guard.py checks the same)."""
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


@aws_provider(api="dynamodb", name="titan")
def dynamodb_titan() -> Service:
    install_item_level_transactions()
    provider = SerialisedMotoDynamoDB()
    return Service.for_provider(
        provider,
        dispatch_table_factory=lambda p: ForwardingFallbackDispatcher(p, _serialised_moto),
    )
