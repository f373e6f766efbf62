"""Payments' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue)
and schedule.

- OrderCancelled: void the order's authorized and pending payments (``service.reverse``,
  idempotent). A paid order's captured payments are refunded by the refund saga, which the
  returns context starts for the cancellation.
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
        events = service.reverse(event["detail"]["data"]["checkoutId"], refund_captured=False)
    else:
        events = service.expire_due()
    publish(events)
    return {"events": len(events)}
