"""Orders' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- PaymentCaptured / PaymentVoided / PaymentRefunded / PaymentExpired: the order's copy of
  the payment follows.
- PaymentCaptured with ``orderPaid``: a boleto order is paid: CONFIRMED, OrderConfirmed.
- PaymentExpired: an unpaid boleto order is CANCELLED (reason PAYMENT_EXPIRED), OrderCancelled.
Idempotent: status moves are conditional and skip what is already done.
"""

from __future__ import annotations

from typing import Any

from orders import service
from orders.store import PENDING_PAYMENT, Order
from titan.events import publish
from titan.observability import logger

VIEW_KEYS = (
    "paymentId",
    "method",
    "amount",
    "installments",
    "status",
    "last4",
    "brand",
    "dueAt",
    "declineCode",
)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    kind, data = event["detail-type"], event["detail"]["data"]
    try:
        order = Order.get(*Order.key(data["orderId"]), consistent_read=True)
    except Order.DoesNotExist:
        logger.warning("payment event for an unknown order", extra={"orderId": data["orderId"]})
        return {"applied": False}
    service.set_payment(order, {k: data[k] for k in VIEW_KEYS if k in data})
    events = []
    if kind == "PaymentCaptured" and data.get("orderPaid"):
        events = service.confirm_paid(order)
    elif kind == "PaymentExpired" and order.status == PENDING_PAYMENT:
        events = service.cancel(order, "PAYMENT_EXPIRED")
    publish(events)
    return {"applied": True, "events": len(events)}
