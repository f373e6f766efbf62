"""Cart event consumers (EventBridge → this Lambda, asynchronous, retried, dead-letter queue).

- OrderPlaced: the ordered lines leave the customer's cart. Lines changed after the order
  was placed (the customer added more meanwhile) stay. Idempotent: a line already gone is
  skipped.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError

from cart.store import CartLine
from titan.dynamo import condition_failed
from titan.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    """EventBridge event ``OrderPlaced`` → ``{"removed": n}``."""
    detail = event["detail"]
    return {"removed": remove_ordered(detail["data"], detail["metadata"]["occurredAt"])}


def remove_ordered(data: dict, placed_at: str) -> int:
    """Delete the cart lines OrderPlaced ``data`` names, unless changed after ``placed_at``;
    the number deleted."""
    removed = 0
    for line in data["lines"]:
        cart_line = CartLine(*CartLine.key(data["customerId"], line["cartLineId"]))
        try:
            cart_line.delete(condition=CartLine.updated_at <= placed_at)
            removed += 1
        except DeleteError as exc:
            if not condition_failed(exc):
                raise
    return removed
