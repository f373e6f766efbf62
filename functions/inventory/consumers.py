"""Inventory's event consumers: one Lambda fed by an SQS queue (EventBridge rule → queue,
dead-letter queue after 5 receives, partial batch failures) and by a schedule.

- OfferCreated: open the offer's stock in its seller's warehouse (``SEED_STOCK_UNITS``), all
  of a batch's at once (a catalog import creates thousands).
- OrderConfirmed (a boleto was paid after the checkout): commit the order's reservation.
- OrderCancelled: release the reservation, or restock what was sold.
- the schedule (every minute): release reservations whose hold has ended (``expired``).
All are idempotent: the reservation's state decides what is left to do.
"""

from __future__ import annotations

from contracts.catalog import OfferCreated
from contracts.orders import OrderCancelled, OrderConfirmed
from inventory import service
from titan.consumers import Received, consumer
from titan.events import DomainEvent, publish


def open_stocks(received: list[Received[OfferCreated]]) -> None:
    """Open stock for new offers, one batch write for them all (idempotent)."""
    service.open_stocks(
        [{**r.event.model_dump(mode="json"), "occurredAt": r.metadata.occurredAt} for r in received]
    )


def _order_confirmed(received: Received[OrderConfirmed]) -> list[DomainEvent]:
    return service.commit(received.event.reservationId)


def _order_cancelled(received: Received[OrderCancelled]) -> list[DomainEvent]:
    return service.release(received.event.reservationId, received.event.reason)


def sweep() -> dict:
    """Release every reservation whose hold has ended: ``{"released": n}``."""
    released = 0
    while ids := service.expired():
        for reservation_id in ids:
            publish(service.release(reservation_id, "EXPIRED"))
            released += 1
    return {"released": released}


handler = consumer(
    {OrderConfirmed: _order_confirmed, OrderCancelled: _order_cancelled},
    bulk={OfferCreated: open_stocks},
    schedule=sweep,
)
