"""The cart's saga steps (see ``titan.saga``).

- ``snapshot``: the lines the checkout will order, as they are when it starts.
"""

from __future__ import annotations

from cart.store import CartLine
from titan.saga import StepRefused, steps


def snapshot(event: dict) -> dict:
    """``{"customerId"}`` → ``{"lines": [{lineId, productId, sellerId, quantity}]}``.
    Refuses 422 ``EMPTY_CART``."""
    lines = CartLine.of(event["customerId"])
    if not lines:
        raise StepRefused("EMPTY_CART", 422, "The cart is empty.")
    return {
        "lines": [
            {
                "lineId": line.line_id,
                "productId": line.product_id,
                "sellerId": line.seller_id,
                "quantity": int(line.quantity),
            }
            for line in lines
        ]
    }


handler = steps({"snapshot": snapshot})
