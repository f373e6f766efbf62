"""Ledger's event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue)
and schedule.

- OrderPlaced: record how the order's escrow splits between its sellers.
- PaymentCaptured: the money goes into the order's escrow. PaymentVoided (wallet, voucher):
  the hold goes back. PaymentRefunded (a checkout undone or a boleto paid too late; not a
  return's refund, which the refund saga posts): the escrow gives the money back.
- OrderDelivered: the release clock starts. OrderReceiptConfirmed: release now.
- PayoutRequested: the sandbox bank pays it.
- the schedule (every 5 minutes): release escrows whose return window ended.
All postings are idempotent (a transaction id per fact), so a repeated event changes nothing.
"""

from __future__ import annotations

from contracts.ledger import PayoutRequested
from contracts.orders import OrderDelivered, OrderPlaced, OrderReceiptConfirmed
from contracts.payments import PaymentCaptured, PaymentFacts, PaymentRefunded, PaymentVoided
from ledger import service
from titan.consumers import Received, consumer
from titan.events import DomainEvent, publish
from titan.observability import logger


def _order_placed(received: Received[OrderPlaced]) -> None:
    service.open_escrow(received.event)


def _payment(received: Received[PaymentFacts]) -> None:
    service.post_payment(received.event)


def _delivered(received: Received[OrderDelivered]) -> None:
    delivered = received.event
    service.delivered(delivered.orderId, delivered.deliveredAt or received.metadata.occurredAt)


def _receipt_confirmed(received: Received[OrderReceiptConfirmed]) -> list[DomainEvent]:
    try:
        return service.release(received.event.orderId, "RECEIPT_CONFIRMED")
    except service.NotReleasable as exc:
        logger.info("escrow not released", extra={"reason": exc.reason})
        if exc.reason == "NOT_FUNDED":
            raise  # a capture is not posted yet: the retry will find it
        return []


def _payout_requested(received: Received[PayoutRequested]) -> list[DomainEvent]:
    return service.pay_out(received.event.payoutId)


def release_due() -> dict:
    """The scheduled run: ``{"released": n}`` escrows released."""
    events = service.release_due()
    publish(events)
    return {"released": len(events)}


HANDLERS = {
    OrderPlaced: _order_placed,
    PaymentCaptured: _payment,
    PaymentVoided: _payment,
    PaymentRefunded: _payment,
    OrderDelivered: _delivered,
    OrderReceiptConfirmed: _receipt_confirmed,
    PayoutRequested: _payout_requested,
}
handler = consumer(HANDLERS, schedule=release_due)
