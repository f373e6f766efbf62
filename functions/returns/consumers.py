"""Returns' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderCancelled of a paid order (``previousStatus`` CONFIRMED): the whole order is refunded
  through the refund saga, as a return of kind CANCELLATION (no goods to wait for: the
  stock goes back through inventory's own OrderCancelled handling). Its return id follows
  from the order id, so a repeated event starts nothing twice.
"""

from __future__ import annotations

from typing import Any

from returns import service
from titan.errors import Conflict, NotFound
from titan.observability import logger
from titan.saga import call_step


def cancellation_id(order_id: str) -> str:
    return "ret_" + order_id.split("_", 1)[1]


def refund_cancelled(data: dict) -> str | None:
    """Start the cancellation refund of a paid order; its return id, or None if unpaid."""
    if data.get("previousStatus") != "CONFIRMED":
        return None
    return_id = cancellation_id(data["orderId"])
    try:
        item = service.get(return_id)  # a repeated event: start it (again: ignored)
    except NotFound:
        order = call_step("ORDERS_STEPS_FUNCTION", "get", {"orderId": data["orderId"]})
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


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    """EventBridge OrderCancelled → ``{"returnId"}``."""
    return {"returnId": refund_cancelled(event["detail"]["data"])}
