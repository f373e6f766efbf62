"""Payments' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue)
and schedule.

- OrderCancelled: void or refund the order's payments (``service.reverse``, idempotent).
- the schedule (every 5 minutes): expire boletos past their due date (``expire_due``).
"""

from __future__ import annotations

from typing import Any

from payments import service
from titan.events import publish
from titan.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    """An EventBridge event (``OrderCancelled``) or a scheduled event."""
    if event.get("detail-type") == "OrderCancelled":
        events = service.reverse(event["detail"]["data"]["checkoutId"])
    else:
        events = service.expire_due()
    publish(events)
    return {"events": len(events)}
