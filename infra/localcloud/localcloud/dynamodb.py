"""DynamoDB for the local cloud: LocalStack's bundled moto, made exact under concurrency.

LocalStack 2026.3.0 serves DynamoDB by downloading Java and DynamoDB Local, which cannot
happen offline. The local cloud answers every operation from LocalStack's bundled moto
instead, in a process of its own (``localcloud.dynamodb_server``, which the Lambda workers
call directly), with seven corrections measured on this stack (docs/local-cloud.md):

1. moto's DynamoDB backend is not thread-safe: 8 threads of conditional decrements oversold
   a stock of 500 and raised ``dictionary changed size during iteration``. Every request is
   therefore served under one process-wide lock, which makes conditional writes and
   transactions linearizable, as they are on AWS.
2. moto's ``TransactWriteItems`` deep-copies every table it touches to be able to roll back
   (875 ms per call at 20k items). We snapshot only the items the transaction names and
   restore those on failure, so a transaction costs the same at any table size.
3. moto's ``Query`` looks at every item of the table, for the table and for its indexes
   (800 ms per query at 100k items). Queries now start from the partition's items, or, on a
   global secondary index, from a map of the index kept up to date key by key after each
   write (rebuilding it after every write cost a checkout 40% of the cloud's CPU: catalog
   writes and index queries alternate). moto's own code still sorts, filters and pages.
4. moto's ``Scan`` finds where a page starts by comparing every item of the table with the
   previous page's last key, so a full scan costs O(items²): a 75k-item table took minutes.
   A page now starts at that key's position in a cached listing of the table (rebuilt only
   after writes); moto's own code still fills, filters and ends the page.
5. moto builds an item attribute by attribute and re-measures the whole item's size at each
   one (a third of its cost per item written in a bulk import). The size is now measured once
   per item, with the same 400 KB limit and error.
6. LocalStack parsed each request shape by shape before handing it on, and parsed the answer
   into a dict to serialise it to JSON once more. The provider now takes the request's body
   as it is and returns the DynamoDB process's HTTP response as it is
   (``install_json_request_parsing``; py-spy: a third of each request).
7. moto lists its response class's methods (``inspect.getmembers``) on every request to find
   the handler: half of moto's time on a GetItem. The list is made once per class.

The provider is selected with ``PROVIDER_OVERRIDE_DYNAMODB=titan``; registered under the
entry-point group ``localstack.aws.provider`` as ``dynamodb:titan`` (see pyproject.toml).
"""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.forwarder import ForwardingFallbackDispatcher
from localstack.http import Response
from localstack.runtime import hooks
from localstack.services.plugins import Service, aws_provider

from localcloud.dynamodb_server import PORT
from localcloud.moto_transactions import install_item_level_transactions


class ForwardedDynamoDB(DynamodbApi):
    """A provider that implements nothing itself: every operation is forwarded."""


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


def written_keys(operation: str, request: dict) -> dict[str, list[dict]] | None:
    """Table name -> the key-bearing maps (an Item or a Key, AttributeValue JSON) a write
    request names; None when it cannot be told from the request (PartiQL, restores)."""
    written: dict[str, list[dict]] = {}
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        written[request["TableName"]] = [request.get("Item") or request.get("Key") or {}]
    elif operation == "BatchWriteItem":
        for name, writes in (request.get("RequestItems") or {}).items():
            for write in writes:
                put, delete = write.get("PutRequest"), write.get("DeleteRequest")
                keyed = (put or {}).get("Item") or (delete or {}).get("Key") or {}
                written.setdefault(name, []).append(keyed)
    elif operation == "TransactWriteItems":
        for entry in request.get("TransactItems") or []:
            kind, op = next(iter(entry.items()))
            if kind != "ConditionCheck":
                keyed = op.get("Item") or op.get("Key") or {}
                written.setdefault(op.get("TableName"), []).append(keyed)
    else:
        return None
    return written


def start_server(timeout_s: float = 30) -> subprocess.Popen:
    """Start the DynamoDB process (``localcloud.dynamodb_server``) on ``PORT`` and wait until
    it accepts connections. Raises RuntimeError if it exits or is not up in ``timeout_s``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud.dynamodb_server", str(PORT)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the DynamoDB process exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the DynamoDB process did not listen on {PORT} in {timeout_s} s")


@functools.cache
def _pool():
    import urllib3

    return urllib3.HTTPConnectionPool(
        "127.0.0.1",
        PORT,
        maxsize=64,
        block=False,
        retries=False,
        timeout=urllib3.Timeout(connect=5, read=120),  # a scan page under a crowd, at worst
    )


#: Headers of a request that the DynamoDB process needs (the signature names the account
#: and region; the target names the operation).
FORWARDED = ("Authorization", "X-Amz-Target", "Content-Type", "User-Agent", "X-Amz-Date")


def _forward(context, _request) -> Response:
    """Send a request that reached the cloud's endpoint to the DynamoDB process, as it came."""
    headers = {k: v for k in FORWARDED if (v := context.request.headers.get(k)) is not None}
    answer = _pool().urlopen(
        "POST", "/", body=context.request.get_data(), headers=headers, preload_content=True
    )
    kept = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
    return Response(answer.data, answer.status, kept)


def after_write(tables: dict, written: dict[str, list[dict]] | None) -> None:
    """Keep the caches of the tables written to true: the scan listing is dropped (rebuilt on
    the next scan); each index map is updated for the written keys only, or dropped when the
    keys are unknown (``written`` None). ``tables``: moto's tables of the account and region."""
    names = list(tables) if written is None else list(written)
    for name in names:
        table = tables.get(name)
        if table is None:
            continue
        table._titan_version = getattr(table, "_titan_version", 0) + 1
        maps = table.__dict__.get("_titan_index_maps")
        if not maps:
            continue
        if written is None:
            maps.clear()
            continue
        for keyed in written[name]:
            key = _item_key(table, keyed)
            if key is not None:
                for index_map in maps.values():
                    index_map.refresh(table, key)


def _item_key(table, keyed: dict):
    """(hash DynamoType, range DynamoType or None) of the item ``keyed`` names, or None."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        hash_key = DynamoType(keyed[table.hash_key_attr])
        range_attr = table.range_key_attr
        return hash_key, DynamoType(keyed[range_attr]) if range_attr else None
    except (KeyError, TypeError):
        return None


def _live_item(table, key):
    hash_key, range_key = key
    if range_key is None:
        return table.items.get(hash_key)
    return (table.items.get(hash_key) or {}).get(range_key)


class IndexMap:
    """A global secondary index's hash key -> the table keys of its items, kept up to date
    item by item after each write (``refresh``) instead of rebuilt from the whole table."""

    def __init__(self, table, hash_attr: str) -> None:
        self.hash_attr = hash_attr
        self.keys: dict[Any, dict] = {}  # index hash value -> {table key: None} (ordered)
        self.value_of: dict[Any, Any] = {}  # table key -> index hash value
        for item in table.all_items():
            self._add((item.hash_key, item.range_key), item)

    def _add(self, key, item) -> None:
        value = item.attrs.get(self.hash_attr)
        if value is not None:
            self.keys.setdefault(value, {})[key] = None
            self.value_of[key] = value

    def refresh(self, table, key) -> None:
        """Re-read the item at ``key`` (written, or deleted) and move it in the map."""
        old = self.value_of.pop(key, None)
        if old is not None:
            bucket = self.keys.get(old)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del self.keys[old]
        item = _live_item(table, key)
        if item is not None:
            self._add(key, item)

    def items(self, table, value) -> list:
        found = (_live_item(table, key) for key in self.keys.get(value, ()))
        return [item for item in found if item is not None]


def _index_map(table, index_name: str) -> IndexMap:
    """The index map of ``index_name``, built on first use."""
    maps = table.__dict__.setdefault("_titan_index_maps", {})
    index_map = maps.get(index_name)
    if index_map is None:
        index = next(i for i in table.all_indexes() if i.name == index_name)
        hash_attr = next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
        index_map = maps[index_name] = IndexMap(table, hash_attr)
    return index_map


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
    return _index_map(table, index_name).items(table, hash_key)


def install_partition_queries() -> None:
    """Patch moto's Table.query to consider only candidate items (see the module docstring).
    Safe because every request is served under the DynamoDB process's one lock. Idempotent."""
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
    Safe because every request is served under the DynamoDB process's one lock. Idempotent."""
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


def install_method_name_cache() -> None:
    """moto finds the handler method of every request by listing its response class's methods
    with ``inspect.getmembers``: half of moto's time on a GetItem (py-spy). Classes do not
    change while the cloud runs, so each class's list is computed once. Idempotent."""
    from moto.core import responses

    if getattr(responses.method_names_from_class, "_titan", False):
        return
    listed = functools.lru_cache(maxsize=None)(
        lambda cls, _list=responses.method_names_from_class: tuple(_list(cls))
    )
    listed._titan = True
    responses.method_names_from_class = listed


def install_json_request_parsing() -> None:
    """Give DynamoDB requests to the provider as their JSON body, unparsed by LocalStack.

    The provider forwards every request to the DynamoDB process, whose moto parses the body
    itself; LocalStack's
    shape-by-shape parse before it was a sixth of a request's cost. The operation comes from
    the ``X-Amz-Target`` header. A request whose operation is unknown or whose body is not a
    JSON object goes through LocalStack's parser, which raises the proper error. Idempotent."""
    from localstack.aws.handlers.service import ServiceRequestParser

    original = ServiceRequestParser.parse_and_enrich
    if getattr(original, "_titan", False):
        return

    def parse_and_enrich(self, context):
        if context.service is not None and context.service.service_name == "dynamodb":
            name = context.request.headers.get("X-Amz-Target", "").rpartition(".")[2]
            try:
                operation = context.service.operation_model(name)
                body = context.request.get_data()
                instance = json.loads(body) if body else {}
            except Exception:
                instance = None
            if isinstance(instance, dict):
                context.operation = operation
                context.service_request = instance
                return
        original(self, context)

    parse_and_enrich._titan = True
    ServiceRequestParser.parse_and_enrich = parse_and_enrich


def install_moto_corrections() -> None:
    """Corrections 1-5 and 7 of the module docstring, on this process's moto. Idempotent."""
    install_item_level_transactions()
    install_partition_queries()
    install_fast_scan_pages()
    install_item_size_once()
    install_method_name_cache()


@hooks.on_infra_start()
def start_dynamodb_process() -> None:
    """With the cloud, before it serves: the functions may call DynamoDB before anything
    reaches the provider (which LocalStack loads on its first request)."""
    if os.environ.get("PROVIDER_OVERRIDE_DYNAMODB") == "titan":
        start_server()


@aws_provider(api="dynamodb", name="titan")
def dynamodb_titan() -> Service:
    install_json_request_parsing()
    return Service.for_provider(
        ForwardedDynamoDB(),
        dispatch_table_factory=lambda p: ForwardingFallbackDispatcher(p, _forward),
    )
