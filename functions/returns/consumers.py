"""Returns' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderCancelled of a paid order (``previousStatus`` CONFIRMED): the whole order is refunded
  through the refund saga, as a return of kind CANCELLATION (no goods to wait for: the
  stock goes back through inventory's own OrderCancelled handling). Its return id follows
  from the order id, so a repeated event starts nothing twice.
"""

from __future__ import annotations

from contracts.orders import OrderCancelled
from returns import service
from titan.calls import invoke
from titan.consumers import Received, consumer
from titan.errors import Conflict, NotFound
from titan.ids import related
from titan.observability import logger


def refund_cancelled(cancelled: OrderCancelled) -> str | None:
    """Start the cancellation refund of a paid order; its return id, or None if unpaid."""
    if cancelled.previousStatus != "CONFIRMED":
        return None
    return_id = related("ret", cancelled.orderId)
    try:
        item = service.get(return_id)  # a repeated event: start it (again: ignored)
    except NotFound:
        order = invoke("ORDERS_STEPS_FUNCTION", "get", {"orderId": cancelled.orderId})
        every = [
            {"lineId": x["lineId"], "quantity": x["quantity"], "reason": "ORDER_CANCELLED"}
            for x in order["lines"]
        ]
        try:
            item = service.record(order, every, "original", "CANCELLATION", return_id)
        except Conflict as exc:  # nothing left to refund
            logger.warning("nothing to refund for a cancelled order", extra={"code": exc.code})
            return None
    service.start(item)
    return item.return_id


def _order_cancelled(received: Received[OrderCancelled]) -> None:
    refund_cancelled(received.event)


handler = consumer({OrderCancelled: _order_cancelled})
