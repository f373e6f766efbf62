"""Returns' event consumer (EventBridge → Lambda, asynchronous, retried, dead-letter queue).

- OrderCancelled of a paid order (``previousStatus`` CONFIRMED): the whole order is refunded
  through the refund saga, as a return of kind CANCELLATION (no goods to wait for: the
  stock goes back through inventory's own OrderCancelled handling). Its return id follows
  from the order id, so a repeated event starts nothing twice.
- ShipmentStatusChanged to LOST: the carrier lost the package; its lines are refunded the
  same way, as a return of kind LOST_PARCEL (no decision, no goods: they never arrived). Its
  return id follows from the package id.
- ShipmentStatusChanged to DELIVERED of a RETURN parcel: the goods are back with the seller
  (as ``POST /returns/{id}/receive`` says): the saga restocks and refunds.
"""

from __future__ import annotations

from contracts.fulfilment import ShipmentStatusChanged
from contracts.orders import OrderCancelled
from returns import service
from titan.calls import invoke
from titan.consumers import Received, consumer
from titan.errors import Conflict, NotFound
from titan.events import DomainEvent
from titan.ids import related
from titan.observability import logger


def _refund_once(return_id: str, order_id: str, kind: str, wanted) -> str | None:
    """Start the refund ``return_id`` of kind ``kind``, recording it first unless a repeated
    event already did: ``wanted(order)`` gives the units to refund of the order (the orders
    step's view), or nothing. Its return id, or None when nothing is left to refund."""
    try:
        item = service.get(return_id)  # a repeated event: start it (again: ignored)
    except NotFound:
        order = invoke("ORDERS_STEPS_FUNCTION", "get", {"orderId": order_id})
        units = wanted(order)
        if not units:
            return None
        try:
            item = service.record(order, units, "original", kind, return_id)
        except Conflict as exc:  # nothing left to refund
            logger.warning("nothing to refund", extra={"kind": kind, "code": exc.code})
            return None
    service.start(item)
    return item.return_id


def refund_cancelled(cancelled: OrderCancelled) -> str | None:
    """Start the cancellation refund of a paid order; its return id, or None if unpaid."""
    if cancelled.previousStatus != "CONFIRMED":
        return None

    def every(order: dict) -> list[dict]:
        return [
            {"lineId": x["lineId"], "quantity": x["quantity"], "reason": "ORDER_CANCELLED"}
            for x in order["lines"]
        ]

    return _refund_once(related("ret", cancelled.orderId), cancelled.orderId, "CANCELLATION", every)


def refund_lost(changed: ShipmentStatusChanged) -> str | None:
    """Start the refund of a package the carrier lost: every unit of its lines not yet
    returned. Its return id, or None when the package was not lost or nothing is left."""
    if changed.status != "LOST":
        return None

    def lost(order: dict) -> list[dict]:
        package = next(
            (p for p in order.get("packages") or [] if p["packageId"] == changed.packageId), None
        )
        if package is None:
            logger.warning("a lost package the order does not list", extra=changed.model_dump())
            return []
        before = service.returned_so_far(changed.orderId)
        return [
            {
                "lineId": x["lineId"],
                "quantity": x["quantity"] - before.get(x["lineId"], 0),
                "reason": "LOST_BY_CARRIER",
            }
            for x in order["lines"]
            if x["lineId"] in package["lineIds"] and x["quantity"] > before.get(x["lineId"], 0)
        ]

    return _refund_once(related("ret", changed.packageId), changed.orderId, "LOST_PARCEL", lost)


def _order_cancelled(received: Received[OrderCancelled]) -> None:
    refund_cancelled(received.event)


def _shipment_changed(received: Received[ShipmentStatusChanged]) -> list[DomainEvent]:
    changed = received.event
    if changed.direction == "RETURN" and changed.status == "DELIVERED" and changed.returnId:
        return service.received_by_carrier(changed.returnId)
    refund_lost(changed)
    return []


handler = consumer({OrderCancelled: _order_cancelled, ShipmentStatusChanged: _shipment_changed})
