"""Checkout's event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderCancelled: the order's coupon use is given back (idempotent, ``coupons.release``).
"""

from __future__ import annotations

from typing import Any

from checkout import coupons
from titan.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    return {"released": coupons.release(event["detail"]["data"]["checkoutId"])}
