"""Orders' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- PaymentCaptured / PaymentVoided / PaymentRefunded / PaymentExpired: the order's copy of
  the payment follows.
- PaymentCaptured with ``orderPaid``: a boleto order is paid: CONFIRMED, OrderConfirmed.
- PaymentExpired: an unpaid boleto order is CANCELLED (reason PAYMENT_EXPIRED), OrderCancelled.
- ShipmentStatusChanged with ``orderStatus``: the order follows its packages (partially
  shipped, shipped, delivered).
Idempotent: status moves are conditional and skip what is already done.
"""

from __future__ import annotations

from contracts.fulfilment import ShipmentStatusChanged
from contracts.payments import (
    PaymentCaptured,
    PaymentExpired,
    PaymentFacts,
    PaymentRefunded,
    PaymentVoided,
)
from orders import service
from orders.store import PENDING_PAYMENT, Order
from titan.consumers import Received, consumer
from titan.events import DomainEvent
from titan.observability import logger

#: what the order keeps of a payment (its ``GET /orders/{id}`` view)
VIEW_KEYS = frozenset(
    {
        "paymentId",
        "method",
        "amount",
        "installments",
        "status",
        "last4",
        "brand",
        "dueAt",
        "declineCode",
    }
)


def follow_payment(received: Received[PaymentFacts]) -> list[DomainEvent]:
    """Copy the payment onto its order; confirm or cancel the order when the payment says
    so. The events that causes."""
    payment = received.event
    try:
        order = Order.get(*Order.key(payment.orderId), consistent_read=True)
    except Order.DoesNotExist:
        logger.warning("payment event for an unknown order", extra={"orderId": payment.orderId})
        return []
    service.set_payment(
        order, payment.model_dump(mode="json", include=VIEW_KEYS, exclude_unset=True)
    )
    if isinstance(payment, PaymentCaptured) and payment.orderPaid:
        return service.confirm_paid(order)
    if isinstance(payment, PaymentExpired) and order.status == PENDING_PAYMENT:
        return service.cancel(order, "PAYMENT_EXPIRED")
    return []


def follow_packages(received: Received[ShipmentStatusChanged]) -> list[DomainEvent]:
    """The order's packages add up to a new status: the order follows."""
    changed = received.event
    if changed.orderStatus not in service.PROGRESS:
        return []
    order = Order.get(*Order.key(changed.orderId), consistent_read=True)
    return service.follow_packages(order, changed.orderStatus, changed.at)


handler = consumer(
    {
        ShipmentStatusChanged: follow_packages,
        PaymentCaptured: follow_payment,
        PaymentVoided: follow_payment,
        PaymentRefunded: follow_payment,
        PaymentExpired: follow_payment,
    }
)
