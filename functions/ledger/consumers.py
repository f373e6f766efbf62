"""Ledger's event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue)
and schedule.

- OrderPlaced: record how the order's escrow splits between its sellers.
- PaymentCaptured: the money goes into the order's escrow. PaymentVoided (wallet): the
  wallet gets its hold back. PaymentRefunded (a checkout undone or a boleto paid too late;
  not a return's refund, which the refund saga posts): the escrow gives the money back.
- OrderDelivered: the release clock starts. OrderReceiptConfirmed: release now.
- PayoutRequested: the sandbox bank pays it.
- the schedule (every 5 minutes): release escrows whose return window ended.
All postings are idempotent (a transaction id per fact), so a repeated event changes nothing.
"""

from __future__ import annotations

from typing import Any

from ledger import service
from titan.events import publish
from titan.observability import logger


def apply(event: dict) -> list:
    """Apply one EventBridge event; the events it causes."""
    kind, data = event["detail-type"], event["detail"]["data"]
    if kind == "OrderPlaced":
        service.open_escrow(data)
    elif kind in ("PaymentCaptured", "PaymentVoided", "PaymentRefunded"):
        service.payment_events(kind, data)
    elif kind == "OrderDelivered":
        service.delivered(data["orderId"], event["detail"]["metadata"]["occurredAt"])
    elif kind == "OrderReceiptConfirmed":
        try:
            return service.release(data["orderId"], "RECEIPT_CONFIRMED")
        except service.NotReleasable as exc:
            logger.info("escrow not released", extra={"reason": exc.reason})
            if exc.reason == "NOT_FUNDED":
                raise  # a capture is not posted yet: the retry will find it
    elif kind == "PayoutRequested":
        return service.pay_out(data["payoutId"])
    return []


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    """An EventBridge event, or the scheduled release sweep."""
    scheduled = event.get("detail-type") in (None, "Scheduled Event")
    events = service.release_due() if scheduled else apply(event)
    publish(events)
    return {"events": len(events)}
