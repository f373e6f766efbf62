"""Fulfilment's event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter
queue) and schedule.

- OrderPlaced: a shipment per package (waiting for payment or for packing).
- OrderConfirmed: a boleto order was paid: its packages wait for packing.
- OrderCancelled: packages not yet handed to the carrier are cancelled.
- ReturnApproved (a return of goods): a prepaid return label per seller.
- the schedule (hourly): packages past their hand-over deadline are reported late
  (ShipmentLate, once each), and parcels the carrier has not scanned for ``LOST_AFTER_DAYS``
  are declared lost.
Idempotent: shipments are made once per package and moves skip what is already done.
"""

from __future__ import annotations

from contracts.orders import OrderCancelled, OrderConfirmed, OrderPlaced
from contracts.returns import ReturnApproved
from fulfilment import service, sweeps
from titan.consumers import Received, consumer
from titan.events import DomainEvent, publish


def _placed(received: Received[OrderPlaced]) -> None:
    service.open_packages(received.event)


def _confirmed(received: Received[OrderConfirmed]) -> list[DomainEvent]:
    return service.order_paid(received.event.orderId)


def _cancelled(received: Received[OrderCancelled]) -> list[DomainEvent]:
    return service.order_cancelled(received.event.orderId)


def _return_approved(received: Received[ReturnApproved]) -> list[DomainEvent]:
    if received.event.kind != "RETURN":
        return []
    return service.open_return(received.event)


def sweep() -> dict:
    """The scheduled run: ``{"late": n, "lost": m}``."""
    late = sweeps.report_late()
    lost = sweeps.declare_lost()
    publish(late + lost)
    return {"late": len(late), "lost": len(lost)}


handler = consumer(
    {
        OrderPlaced: _placed,
        OrderConfirmed: _confirmed,
        OrderCancelled: _cancelled,
        ReturnApproved: _return_approved,
    },
    schedule=sweep,
)
