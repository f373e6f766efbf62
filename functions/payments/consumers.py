"""Payments' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue)
and schedule.

- OrderCancelled: void the order's authorized and pending payments (``service.reverse``,
  idempotent). A paid order's captured payments are refunded by the refund saga, which the
  returns context starts for the cancellation.
- the schedule (every 5 minutes): expire boletos past their due date (``expire_due``).
"""

from __future__ import annotations

from contracts.orders import OrderCancelled
from payments import service
from titan.consumers import Received, consumer
from titan.events import DomainEvent, publish


def _order_cancelled(received: Received[OrderCancelled]) -> list[DomainEvent]:
    return service.reverse(received.event.checkoutId, refund_captured=False)


def expire_due() -> dict:
    """The scheduled run: ``{"published": n}`` events (expiries and the voids they cause)."""
    events = service.expire_due()
    publish(events)
    return {"published": len(events)}


handler = consumer({OrderCancelled: _order_cancelled}, schedule=expire_due)
