"""Orders' saga steps (see ``titan.saga``): ``create``, ``place`` and ``cancel`` (the
compensation of create) for checkout; ``get`` and ``refunded`` for returns and refunds;
``sellerOrders`` for a seller's stats recount."""

from __future__ import annotations

from orders import service
from orders.store import CONFIRMED
from titan.errors import NotFound
from titan.events import publish
from titan.observability import count
from titan.saga import StepRefused, steps


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
    count("OrdersPlaced", status=order.status)
    return {
        "orderId": order.order_id,
        "status": order.status,
        "total": {"amount": int(order.total), "currency": order.currency},
    }


def cancel(event: dict) -> dict:
    """Compensation: ``{"orderId", "reason"?}`` → ``{"orderId", "status": "CANCELLED"}``."""
    service.compensate(event["orderId"], event.get("reason") or "CHECKOUT_FAILED")
    return {"orderId": event["orderId"], "status": "CANCELLED"}


def get(event: dict) -> dict:
    """``{"orderId"}`` → the order's view with ``checkoutId``, ``reservationId``,
    ``sellerIds`` and ``contact`` (for the returns context). Refuses 404 ORDER_NOT_FOUND."""
    try:
        order = service.get(event["orderId"])
    except NotFound:
        raise StepRefused("ORDER_NOT_FOUND", 404, "No such order.") from None
    if order.customer_id is None:  # a failed checkout's tombstone
        raise StepRefused("ORDER_NOT_FOUND", 404, "No such order.")
    return {
        **service.view(order),
        "checkoutId": order.checkout_id,
        "reservationId": order.reservation_id,
        "sellerIds": sorted(order.seller_ids or []),
        "contact": order.contact,
    }


def refunded(event: dict) -> dict:
    """Refund saga: ``{"orderId", "returnId", "amount", "lines", "kind"}`` → ``{"orderId",
    "refunds": n}``: the order lists the refund (once per return)."""
    order = service.record_refund(
        event["orderId"],
        {k: event[k] for k in ("returnId", "amount", "lines", "kind")},
    )
    return {"orderId": order.order_id, "refunds": len(order.refunds or [])}


def seller_orders(event: dict) -> dict:
    """``{"sellerId", "from", "to"}`` (ISO instants, ``to`` exclusive) → ``{"orders":
    [{orderId, createdAt, status, lines: [{productId, quantity, unitPrice}]}]}``: the
    orders the seller has lines in, placed in that window, with the seller's lines only
    (the records a seller's stats are recounted from)."""
    orders = [
        {
            "orderId": order.order_id,
            "createdAt": order.created_at,
            "status": order.status,
            "lines": [
                {
                    "productId": line["productId"],
                    "quantity": int(line["quantity"]),
                    "unitPrice": int(line["unitPrice"]),
                }
                for line in order.lines
                if line["sellerId"] == event["sellerId"]
            ],
        }
        for order in service.seller_orders(event["sellerId"], event["from"], event["to"])
    ]
    return {"orders": orders}


handler = steps(
    {
        "create": create,
        "place": place,
        "cancel": cancel,
        "get": get,
        "refunded": refunded,
        "sellerOrders": seller_orders,
    }
)
