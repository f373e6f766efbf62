"""Flash sales' consumers: one Lambda fed by the expiry queue and by a schedule.

- The expiry queue (SQS, each message delayed by the sale's hold time, at most 15 minutes,
  ``service.schedule_expiry``;
  dead-letter queue after 5 receives, partial batch failures): ``{"reservationId"}`` → the
  reservation expires if it is still HELD. A message that arrives early is sent again with
  the time left as its delay.
- The schedule (every minute): FlashSaleStarted for sales that have started, and the expiry
  of any HELD reservation whose hold has ended but whose message was lost (the safety net:
  the expiry is conditional on the reservation's status, so it happens once either way).
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

from flashsales import service
from titan.events import publish
from titan.observability import logger, observed

processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    reservation_id = json.loads(record.body)["reservationId"]
    try:
        publish(service.expire(reservation_id))
    except service.NotYetExpired as early:
        service.schedule_expiry(reservation_id, early.seconds)


def sweep() -> dict:
    """The scheduled run: ``{"started": n, "expired": n}``."""
    started = service.started_events()
    publish(started)
    expired = 0
    for reservation_id in service.due():
        events = service.expire(reservation_id)
        publish(events)
        expired += len(events)
    return {"started": len(started), "expired": expired}


@observed
def handler(event: dict, context: Any) -> dict:
    """SQS batch → partial batch response; scheduled event → ``sweep()``."""
    if "Records" in event:
        return process_partial_response(event, _record, processor, context)
    done = sweep()
    if any(done.values()):
        logger.info("flash-sale sweep", extra=done)
    return done
