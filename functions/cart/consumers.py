"""Cart's event consumer (EventBridge → this Lambda, asynchronous, retried, dead-letter queue).

- OrderPlaced: the ordered lines leave the customer's cart. Lines changed after the order
  was placed (the customer added more meanwhile) stay. Idempotent: a line already gone is
  skipped.
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError

from cart.store import CartLine
from contracts.orders import OrderPlaced
from titan.consumers import Received, consumer
from titan.dynamo import condition_failed


def remove_ordered(order: OrderPlaced, placed_at: str) -> int:
    """Delete the cart lines ``order`` names, unless changed after ``placed_at`` (RFC 3339);
    the number deleted."""
    removed = 0
    for line in order.lines:
        cart_line = CartLine(*CartLine.key(order.customerId, line.cartLineId))
        try:
            cart_line.delete(condition=CartLine.updated_at <= placed_at)
            removed += 1
        except DeleteError as exc:
            if not condition_failed(exc):
                raise
    return removed


def _order_placed(received: Received[OrderPlaced]) -> None:
    remove_ordered(received.event, received.metadata.occurredAt)


handler = consumer({OrderPlaced: _order_placed})
