"""Orders' saga steps (see ``titan.saga``): ``create``, ``place`` and ``cancel`` (the
compensation of create)."""

from __future__ import annotations

from orders import service
from orders.store import CONFIRMED
from titan.events import publish
from titan.saga import steps


def create(event: dict) -> dict:
    """See ``service.create``. → ``{"orderId", "status"}``."""
    order = service.create(event)
    return {"orderId": order.order_id, "status": order.status}


def place(event: dict) -> dict:
    """``{"orderId", "paid": bool, "payments"?: [payment views]}`` → ``{"orderId", "status",
    "total"}``. Paid orders become CONFIRMED; unpaid ones (a boleto) stay PENDING_PAYMENT.
    Publishes OrderPlaced (once per order id)."""
    order = service.get(event["orderId"])
    if event.get("payments"):
        for payment in event["payments"]:
            service.set_payment(order, payment)
    if event.get("paid"):
        service.move(order, CONFIRMED, "PAID")
    publish([service.placed_event(order)])
    return {
        "orderId": order.order_id,
        "status": order.status,
        "total": {"amount": int(order.total), "currency": order.currency},
    }


def cancel(event: dict) -> dict:
    """Compensation: ``{"orderId", "reason"?}`` → ``{"orderId", "status": "CANCELLED"}``."""
    service.compensate(event["orderId"], event.get("reason") or "CHECKOUT_FAILED")
    return {"orderId": event["orderId"], "status": "CANCELLED"}


handler = steps({"create": create, "place": place, "cancel": cancel})
