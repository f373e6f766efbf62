"""The cart's saga steps (see ``titan.saga``).

- ``snapshot``: the lines the checkout will order, as they are when it starts.
"""

from __future__ import annotations

from cart.store import CartLine
from titan.saga import StepRefused, steps


def snapshot(event: dict) -> dict:
    """``{"customerId"}`` → ``{"lines": [{lineId, productId, sellerId, skuId?, quantity}]}``.
    Refuses 422 ``EMPTY_CART``."""
    lines = CartLine.of(event["customerId"])
    if not lines:
        raise StepRefused("EMPTY_CART", 422, "The cart is empty.")
    return {"lines": [line.asked() for line in lines]}


handler = steps({"snapshot": snapshot})
