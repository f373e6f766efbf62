"""Bulk catalog import, triggered by an upload to ``imports/<importId>/<kind>.csv``.

The file is streamed row by row (never loaded whole), each row validated (domain.parse_*),
and rows are applied in chunks of ``CHUNK`` rows: existing items are read in one BatchGetItem,
compared by content hash, and only new or changed items are written (BatchWriteItem). So:

- re-importing the same file writes nothing and reports every row ``unchanged``;
- an updated row updates that item (and emits ProductUpdated / OfferPriceChanged);
- a bad row is skipped with its row number and reason in the report, never aborting the file
  (malformed CSV, unknown category, bad numbers, duplicate ids, offers whose product or seller
  does not exist);
- a repeated S3 notification for an import already running or completed does nothing.

Kinds, in the order a full catalog is imported: ``sellers``, ``products``, ``offers``.
Events: ProductCreated, ProductUpdated, OfferCreated, OfferPriceChanged.
"""

from __future__ import annotations

import csv
import functools
import threading
import urllib.parse
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
from pynamodb.exceptions import UpdateError

from catalog import categories, domain, service
from catalog.store import (
    Import,
    Offer,
    PriceChange,
    Product,
    RowErrorEntry,
    Seller,
)
from titan import clock
from titan.dynamo import transaction
from titan.events import DomainEvent, EventPublisher
from titan.observability import logger

CHUNK = 500
WORKERS = 4  # chunks applied at once
MAX_REPORTED_ERRORS = 200


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str | None]] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    category_deltas: Counter = field(default_factory=Counter)


def _rows(body) -> Iterator[tuple[int, dict | None, str | None]]:
    """(row number, row or None, error) for each data row of a CSV stream; row 1 is the first
    line after the header. Undecodable bytes and wrong column counts are row errors."""
    lines = (raw.decode("utf-8-sig", errors="replace") for raw in body.iter_lines(keepends=True))
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header:
        return
    header = [h.strip() for h in header]
    for number, values in enumerate(reader, start=1):
        if not values:
            continue
        if len(values) != len(header):
            yield number, None, f"expected {len(header)} columns, found {len(values)}"
            continue
        if any("\ufffd" in v for v in values):
            yield number, None, "not valid UTF-8"
            continue
        yield number, dict(zip(header, values, strict=True)), None


def _fresh(model_type, key: tuple[str, str], fields: dict, now: str, **extra):
    item = model_type(*key, **fields, **extra, created_at=now, updated_at=now)
    item.content_hash = domain.content_hash(fields)
    return item


def _existing(model_type, keys: list[tuple[str, str]]) -> dict[tuple[str, str], object]:
    if not keys:
        return {}
    return {(item.pk, item.sk): item for item in model_type.batch_get(keys)}


def _classify(item, before, result: ChunkResult) -> str | None:
    """``"created"``, ``"updated"`` (keeping the original ``created_at``), or None when the
    content hash is unchanged; counted in ``result``."""
    if before is not None and before.content_hash == item.content_hash:
        result.unchanged += 1
        return None
    if before is None:
        result.created += 1
        return "created"
    item.created_at = before.created_at
    result.updated += 1
    return "updated"


def apply_products(chunk: list[tuple[int, dict]], result: ChunkResult, now: str) -> list:
    keys = [Product.key(fields["product_id"]) for _, fields in chunk]
    existing = _existing(Product, keys)
    writes = []
    for _, fields in chunk:
        key = Product.key(fields["product_id"])
        item = _fresh(
            Product,
            key,
            fields,
            now,
            **Product.index_keys(fields["product_id"], fields["category"]),
        )
        before = existing.get(key)
        change = _classify(item, before, result)
        if change is None:
            continue
        if change == "created":
            result.category_deltas[fields["category"]] += 1
            result.events.append(service.product_event("ProductCreated", item))
        else:
            if before.category != fields["category"]:
                result.category_deltas[before.category] -= 1
                result.category_deltas[fields["category"]] += 1
            result.events.append(service.product_event("ProductUpdated", item))
        writes.append(item)
    return writes


def apply_sellers(chunk: list[tuple[int, dict]], result: ChunkResult, now: str) -> list:
    existing = _existing(Seller, [Seller.key(f["seller_id"]) for _, f in chunk])
    writes = []
    for _, fields in chunk:
        key = Seller.key(fields["seller_id"])
        item = _fresh(Seller, key, fields, now)
        if _classify(item, existing.get(key), result) is not None:
            writes.append(item)
    return writes


def apply_offers(chunk: list[tuple[int, dict]], result: ChunkResult, now: str) -> list:
    products = _existing(Product, list({Product.key(f["product_id"]) for _, f in chunk}))
    sellers = _existing(Seller, list({Seller.key(f["seller_id"]) for _, f in chunk}))
    existing = _existing(Offer, [Offer.key(f["product_id"], f["seller_id"]) for _, f in chunk])
    writes = []
    for number, fields in chunk:
        if Product.key(fields["product_id"]) not in products:
            result.errors.append((number, "unknown product_id", fields["product_id"]))
            continue
        if Seller.key(fields["seller_id"]) not in sellers:
            result.errors.append((number, "unknown seller_id", fields["seller_id"]))
            continue
        key = Offer.key(fields["product_id"], fields["seller_id"])
        item = _fresh(
            Offer,
            key,
            fields,
            now,
            **Offer.index_keys(fields["product_id"], fields["seller_id"], fields["offer_id"]),
        )
        before = existing.get(key)
        change = _classify(item, before, result)
        if change is None:
            continue
        previous = None if before is None else (before.price, before.freight)
        if previous == (item.price, item.freight):
            writes.append(item)  # changed, but not its price
            continue
        if previous is None:
            result.events.append(service.offer_created(item, sellers[Seller.key(item.seller_id)]))
        else:
            result.events.append(service.offer_price_changed(item, previous))
        writes.append(
            PriceChange.entry(
                item.offer_id, item.price, item.freight, previous, "import", now, item.offer_id
            )
        )
        writes.append(item)
    return writes


@dataclass(frozen=True)
class Kind:
    parse: Callable[[dict], dict]
    identity: Callable[[dict], str]
    apply: Callable[[list, ChunkResult, str], list]


KIND_SPECS = {
    "sellers": Kind(domain.parse_seller, lambda f: f["seller_id"], apply_sellers),
    "products": Kind(domain.parse_product, lambda f: f["product_id"], apply_products),
    "offers": Kind(domain.parse_offer, lambda f: f["offer_id"], apply_offers),
}


def run_import(record: Import, body, publisher: EventPublisher, workers: int = WORKERS) -> Import:
    """Apply one uploaded file to the catalog and fill in its report. Returns the record.

    Rows are parsed in order (duplicates are found here); chunks are applied by ``workers``
    threads at once, so the writes of one chunk overlap the reads of the next. Chunks touch
    disjoint items, and the counters they share (category counts, report counts) move by
    atomic ADDs, so the order in which chunks finish does not matter. Raises the first chunk
    failure after the running chunks end."""
    spec = KIND_SPECS[record.kind]
    tree = categories.tree(fresh=True)
    parse = functools.partial(spec.parse, tree=tree) if record.kind == "products" else spec.parse
    seen: set[str] = set()
    chunk: list[tuple[int, dict]] = []
    pending_errors: list[tuple[int, str, str | None]] = []
    room = MAX_REPORTED_ERRORS - len(record.errors)  # report entries left
    lock = threading.Lock()

    def apply(chunk: list[tuple[int, dict]], errors: list[tuple[int, str, str | None]]) -> None:
        nonlocal room
        rows = len(chunk) + len(errors)  # before apply adds foreign-key errors
        result = ChunkResult(errors=errors)
        now = clock.iso()
        writes = spec.apply(chunk, result, now) if chunk else []
        with Product.batch_write() as batch:  # one batch writer serves every model of the table
            for item in writes:
                batch.save(item)
        if result.events:
            publisher.publish(*result.events)
        deltas = {c: d for c, d in result.category_deltas.items() if d}
        if deltas:  # one transaction: the counts move together, nothing half-applied
            with transaction() as counts:
                for category, delta in deltas.items():
                    service.count_products(counts, category, delta)
        with lock:
            kept = sorted(result.errors)[: max(0, room)]
            room -= len(kept)
        actions = [
            Import.rows.add(rows),
            Import.created.add(result.created),
            Import.updated.add(result.updated),
            Import.unchanged.add(result.unchanged),
            Import.skipped.add(len(result.errors)),
        ]
        if kept:
            entries = [RowErrorEntry(row=n, reason=reason, key=key) for n, reason, key in kept]
            actions.append(Import.errors.set(Import.errors.append(entries)))
        record.update(actions=actions)

    running: deque[Future] = deque()
    with ThreadPoolExecutor(workers) as pool:

        def submit() -> None:
            nonlocal chunk, pending_errors
            running.append(pool.submit(apply, chunk, pending_errors))
            chunk, pending_errors = [], []
            while len(running) > 2 * workers:  # bounded read-ahead: memory stays flat
                running.popleft().result()

        for number, row, error in _rows(body):
            if error is None:
                try:
                    fields = parse(row)
                    identity = spec.identity(fields)
                    if identity in seen:
                        raise domain.RowError(f"duplicate id {identity} (first row kept)")
                    seen.add(identity)
                    chunk.append((number, fields))
                except domain.RowError as exc:
                    pending_errors.append((number, str(exc), None))
            else:
                pending_errors.append((number, error, None))
            if len(chunk) + len(pending_errors) >= CHUNK:
                submit()
        if chunk or pending_errors:
            submit()
        failures = []
        for future in running:
            try:
                future.result()
            except Exception as exc:  # every chunk ends before the import fails
                failures.append(exc)
        if failures:
            raise failures[0]
    record.update(actions=[Import.status.set("COMPLETED"), Import.completed_at.set(clock.iso())])
    return record


def _claim(import_id: str) -> Import | None:
    """Move the import to RUNNING, once: a repeated notification gets None."""
    record = Import.get(*Import.key(import_id), consistent_read=True)
    try:
        record.update(
            actions=[Import.status.set("RUNNING"), Import.started_at.set(clock.iso())],
            condition=Import.status == "AWAITING_UPLOAD",
        )
    except UpdateError:
        logger.info(
            "import already claimed", extra={"import_id": import_id, "status": record.status}
        )
        return None
    return record


@logger.inject_lambda_context
def handler(event: dict, _context) -> None:
    s3 = boto3.client("s3")
    publisher = EventPublisher(concurrency=4)
    for notification in event.get("Records", []):
        bucket = notification["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(notification["s3"]["object"]["key"])
        parts = key.split("/")
        if len(parts) != 3 or parts[0] != "imports":
            logger.warning("not an import upload", extra={"key": key})
            continue
        record = _claim(parts[1])
        if record is None:
            continue
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            run_import(record, body, publisher)
            logger.info("import completed", extra={"import_id": record.import_id})
        except Exception as exc:
            logger.exception("import failed")
            record.update(
                actions=[
                    Import.status.set("FAILED"),
                    Import.failure.set(f"{type(exc).__name__}: {exc}"[:500]),
                    Import.completed_at.set(clock.iso()),
                ]
            )
