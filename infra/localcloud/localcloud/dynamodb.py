"""DynamoDB for the local cloud: LocalStack's bundled moto, made exact under concurrency.

LocalStack 2026.3.0 serves DynamoDB by downloading Java and DynamoDB Local, which cannot
happen offline. This provider answers every operation from LocalStack's bundled moto
instead, with five corrections measured on this stack (docs/local-cloud.md):

1. moto's DynamoDB backend is not thread-safe: 8 threads of conditional decrements oversold
   a stock of 500 and raised ``dictionary changed size during iteration``. Every request is
   therefore served under one process-wide lock, which makes conditional writes and
   transactions linearizable, as they are on AWS.
2. moto's ``TransactWriteItems`` deep-copies every table it touches to be able to roll back
   (875 ms per call at 20k items). We snapshot only the items the transaction names and
   restore those on failure, so a transaction costs the same at any table size.
3. moto's ``Query`` looks at every item of the table, for the table and for its indexes
   (800 ms per query at 100k items). Queries now start from the partition's items, or, on a
   global secondary index, from a map of the index rebuilt only after the table was written.
   moto's own code still sorts, filters and pages the results.
4. moto's ``Scan`` finds where a page starts by comparing every item of the table with the
   previous page's last key, so a full scan costs O(items²): a 75k-item table took minutes.
   A page now starts at that key's position in a cached listing of the table (rebuilt only
   after writes); moto's own code still fills, filters and ends the page.
5. moto builds an item attribute by attribute and re-measures the whole item's size at each
   one (a third of its cost per item written in a bulk import). The size is now measured once
   per item, with the same 400 KB limit and error.

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


WRITES = frozenset(
    {
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
        "RestoreTableFromBackup",
        "ImportTable",
    }
)


def _written_tables(operation: str, request: dict) -> set[str]:
    if operation == "BatchWriteItem":
        return set(request.get("RequestItems") or {})
    if operation == "TransactWriteItems":
        return {next(iter(i.values())).get("TableName") for i in request.get("TransactItems", [])}
    return {request["TableName"]} if request.get("TableName") else {"*"}


def _serialised_moto(context, request) -> Any:
    with REQUEST_LOCK:
        try:
            return call_moto(context)
        finally:
            if context.operation.name in WRITES:
                _bump_versions(context, _written_tables(context.operation.name, request or {}))


def _bump_versions(context, names: set[str]) -> None:
    """Mark tables written to, so their index maps are rebuilt on the next index query."""
    from moto.dynamodb.models import dynamodb_backends

    tables = dynamodb_backends[context.account_id][context.region].tables
    for table in tables.values() if "*" in names else (tables.get(n) for n in names):
        if table is not None:
            table._titan_version = getattr(table, "_titan_version", 0) + 1


def _index_map(table, index_name: str) -> dict:
    """Index hash key -> items, cached until the table is written to again."""
    version = getattr(table, "_titan_version", 0)
    cache = table.__dict__.setdefault("_titan_index_maps", {})
    cached = cache.get(index_name)
    if cached and cached[0] == version:
        return cached[1]
    index = next(i for i in table.all_indexes() if i.name == index_name)
    hash_attr = next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
    mapping: dict = {}
    for item in table.all_items():
        value = item.attrs.get(hash_attr)
        if value is not None:
            mapping.setdefault(value, []).append(item)
    cache[index_name] = (version, mapping)
    return mapping


def _candidates(table, hash_key, index_name: str | None) -> list:
    """The items a query on ``hash_key`` can match: a superset of moto's own answer."""
    from moto.dynamodb.models.table import LocalSecondaryIndex

    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index_name is None or isinstance(index, LocalSecondaryIndex):
        if table.range_key_attr is None:
            item = table.items.get(hash_key)
            return [item] if item is not None else []
        partition = table.items.get(hash_key)
        return list(partition.values()) if partition else []
    return _index_map(table, index_name).get(hash_key, [])


def install_partition_queries() -> None:
    """Patch moto's Table.query to consider only candidate items (see the module docstring).
    Safe because every request is served under REQUEST_LOCK. Idempotent."""
    from moto.dynamodb.models.table import Table

    original = Table.query
    if getattr(original, "_titan", False):
        return

    def query(self, hash_key, *args, **kwargs):
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None and not any(i.name == index_name for i in self.all_indexes()):
            return original(self, hash_key, *args, **kwargs)  # moto raises the proper error
        candidates = _candidates(self, hash_key, index_name)
        self.all_items = lambda: candidates  # instance attribute shadows the method
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    query._titan = True
    Table.query = query


def _scan_order(table) -> tuple[list, dict]:
    """The table's items in moto's scan order and each key's position, cached until the table
    is written to again."""
    version = getattr(table, "_titan_version", 0)
    cached = table.__dict__.get("_titan_scan_order")
    if cached and cached[0] == version:
        return cached[1], cached[2]
    order = list(table.all_items())
    positions = {(item.hash_key, item.range_key): n for n, item in enumerate(order)}
    table._titan_scan_order = (version, order, positions)
    return order, positions


def install_fast_scan_pages() -> None:
    """Patch moto's Table.scan to start a page at the previous page's last key directly (see
    the module docstring). Table scans only; index scans and segments go to moto as they are.
    Safe because every request is served under REQUEST_LOCK. Idempotent."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original = Table.scan
    if getattr(original, "_titan", False):
        return

    def scan(self, filters, limit, exclusive_start_key, *args, **kwargs):
        index_name = kwargs.get("index_name", args[1] if len(args) > 1 else None)
        segments = kwargs.get("segments", args[4] if len(args) > 4 else (None, None))
        if not exclusive_start_key or index_name or segments != (None, None):
            return original(self, filters, limit, exclusive_start_key, *args, **kwargs)
        order, positions = _scan_order(self)
        hash_key = DynamoType(exclusive_start_key[self.hash_key_attr])
        range_key = (
            DynamoType(exclusive_start_key[self.range_key_attr]) if self.range_key_attr else None
        )
        start = positions.get((hash_key, range_key))
        if start is None:  # not an item's key (deleted meanwhile): moto's own search
            return original(self, filters, limit, exclusive_start_key, *args, **kwargs)
        rest = order[start + 1 :]
        self.all_items = lambda: iter(rest)  # instance attribute shadows the method
        try:
            return original(self, filters, limit, None, *args, **kwargs)
        finally:
            del self.all_items

    scan._titan = True
    Table.scan = scan


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


def install_item_size_once() -> None:
    """Patch moto's ``Item`` to check the 400 KB item limit once per item, not per attribute.

    Idempotent; raises ItemSizeTooLarge exactly when moto would."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type

    item_type = dynamo_type.Item
    if getattr(item_type.__init__, "_titan", False):
        return

    def __init__(self, hash_key, range_key, attrs):  # replaces moto's constructor
        self.hash_key = hash_key
        self.range_key = range_key
        values = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
        size = sum(dynamo_type.bytesize(k) + v.size() for k, v in values.items())
        if size > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = dynamo_type.LimitedSizeDict()
        dict.update(self.attrs, values)

    __init__._titan = True
    item_type.__init__ = __init__


#: moto's limit (AWS documents 400 KB; moto measured 409-410 KB and uses this value)
ITEM_SIZE_LIMIT = 405000


@aws_provider(api="dynamodb", name="titan")
def dynamodb_titan() -> Service:
    install_item_level_transactions()
    install_partition_queries()
    install_fast_scan_pages()
    install_item_size_once()
    provider = SerialisedMotoDynamoDB()
    return Service.for_provider(
        provider,
        dispatch_table_factory=lambda p: ForwardingFallbackDispatcher(p, _serialised_moto),
    )
