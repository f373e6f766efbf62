"""Checkout's event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderCancelled: the order's coupon use is given back (idempotent, ``coupons.release``).
"""

from __future__ import annotations

from checkout import coupons
from contracts.orders import OrderCancelled
from titan.consumers import Received, consumer


def _order_cancelled(received: Received[OrderCancelled]) -> None:
    coupons.release(received.event.checkoutId)


handler = consumer({OrderCancelled: _order_cancelled})
