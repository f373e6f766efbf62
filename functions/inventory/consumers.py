"""Inventory's event consumers: one Lambda fed by an SQS queue (EventBridge rule → queue,
dead-letter queue after 5 receives, partial batch failures) and by a schedule.

- OfferCreated: open the offer's stock in its seller's warehouse (``SEED_STOCK_UNITS``), a
  batch at a time.
- OrderConfirmed (a boleto was paid after the checkout): commit the order's reservation.
- OrderCancelled: release the reservation, or restock what was sold.
- the schedule (every minute): release reservations whose hold has ended (``expired``).
All are idempotent: the reservation's state decides what is left to do.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from inventory import service
from titan.events import publish
from titan.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def apply(event: dict) -> None:
    """Apply one EventBridge event (``detail-type``, ``detail.data``)."""
    kind, data = event["detail-type"], event["detail"]["data"]
    if kind == "OfferCreated":
        service.open_stock(
            data["offerId"], data["productId"], data["sellerId"], data.get("origin") or {}
        )
    elif kind == "OrderConfirmed":
        publish(service.commit(data["reservationId"]))
    elif kind == "OrderCancelled":
        publish(service.release(data["reservationId"], data.get("reason") or "ORDER_CANCELLED"))


def _record(record: SQSRecord) -> None:
    apply(json.loads(record.body))


def _open_stocks(records: list[dict]) -> list[dict]:
    """Open stock for the batch's OfferCreated events at once; the other records."""
    offers, rest = [], []
    for record in records:
        event = json.loads(record["body"])
        if event.get("detail-type") == "OfferCreated":
            offers.append(
                {**event["detail"]["data"], "occurredAt": event["detail"]["metadata"]["occurredAt"]}
            )
        else:
            rest.append(record)
    if offers:
        service.open_stocks(offers)
    return rest


def sweep() -> int:
    """Release every reservation whose hold has ended; the number released."""
    released = 0
    while ids := service.expired():
        for reservation_id in ids:
            publish(service.release(reservation_id, "EXPIRED"))
            released += 1
    return released


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    """SQS batch → partial batch response; scheduled event → ``{"released": n}``."""
    if "Records" in event:
        # New offers arrive by the thousand (a bulk import): one batch write for them all. If
        # it fails, the whole batch is retried (opening is idempotent).
        rest = _open_stocks(event["Records"])
        if not rest:
            return {"batchItemFailures": []}
        return process_partial_response({"Records": rest}, _record, processor, context)
    released = sweep()
    if released:
        logger.info("expired reservations released", extra={"released": released})
    return {"released": released}
