"""Orders API: routes only (shapes in ``schemas``, use cases in ``service``).

``GET /orders``, ``GET /orders/{orderId}``, ``POST /orders/{orderId}/cancel``, the fulfilment
moves ``POST /orders/{orderId}/ship`` and ``/deliver`` (staff, by hand), and the buyer's
``POST /orders/{orderId}/confirm-receipt``. Who sees an order: its customer, a seller with a
line in it, staff and admins; to anyone else it does not exist (404)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from orders import service
from orders.schemas import CancelIn, OrderOut, OrderPage
from titan import ids
from titan.api import create_app, lambda_handler
from titan.auth import bearer, require
from titan.events import publish
from titan.paging import page_cursor

app = create_app()
OrderId = Annotated[str, Path(pattern=ids.pattern("ord"))]


@app.get("/orders", tags=["orders"], summary="Orders, newest first", security=bearer())
def list_orders(
    sellerId: Annotated[str | None, Query(pattern=ids.SOURCE_ID)] = None,
    customerId: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Z_]{3,30}$",
            description="Only orders in this state (PENDING_PAYMENT, CONFIRMED, SHIPPED, ...)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> OrderPage:
    """My orders; ``?sellerId=`` a seller's (that seller or staff); ``?customerId=`` a
    customer's (staff). With ``status`` a page may hold fewer than ``limit``: follow
    ``cursor``."""
    caller = require(app)
    views, last = service.listed(caller, sellerId, customerId, limit, cursor)
    if status:
        views = [v for v in views if v["status"] == status]
    return OrderPage(orders=[OrderOut(**v) for v in views], cursor=page_cursor(last))


@app.get("/orders/<orderId>", tags=["orders"], summary="An order", security=bearer())
def get_order(orderId: OrderId) -> OrderOut:
    """Lines, totals, payments, shipping address and status history, for the buyer and
    staff; a seller of the order sees their part only (``service.seller_view``)."""
    caller = require(app)
    return OrderOut(**service.shown(service.visible(orderId, caller), caller))


@app.post(
    "/orders/<orderId>/cancel", tags=["orders"], summary="Cancel before shipping", security=bearer()
)
def cancel_order(orderId: OrderId, body: CancelIn | None = None) -> OrderOut:
    """The customer or staff, while PENDING_PAYMENT or CONFIRMED (409 ORDER_NOT_CANCELLABLE
    after). Publishes OrderCancelled: payments are voided or refunded, stock goes back, the
    coupon use is given back. Cancelling a cancelled order again changes nothing."""
    caller = require(app)
    order = service.visible(orderId, caller)
    return OrderOut(**service.cancel_by(order, caller, body.reason if body else None))


@app.post(
    "/orders/<orderId>/ship",
    tags=["orders"],
    summary="Mark as shipped (staff)",
    security=bearer("admin", "staff"),
)
def ship(orderId: OrderId) -> OrderOut:
    """Staff, by hand; CONFIRMED → SHIPPED. Publishes OrderShipped. The order otherwise
    follows its packages (fulfilment)."""
    caller = require(app)
    return OrderOut(**service.fulfil(service.visible(orderId, caller), caller, service.SHIPPED))


@app.post(
    "/orders/<orderId>/deliver",
    tags=["orders"],
    summary="Mark as delivered (staff)",
    security=bearer("admin", "staff"),
)
def deliver(orderId: OrderId) -> OrderOut:
    """Staff, by hand; SHIPPED → DELIVERED. Publishes OrderDelivered. Never the seller:
    an order is delivered on its carrier's or its buyer's word."""
    caller = require(app)
    order = service.visible(orderId, caller)
    return OrderOut(**service.fulfil(order, caller, service.DELIVERED))


@app.post(
    "/orders/<orderId>/confirm-receipt",
    tags=["orders"],
    summary="I received the goods",
    security=bearer(),
)
def confirm_receipt(orderId: OrderId) -> OrderOut:
    """The buyer, once a package left its seller (409 ORDER_NOT_DELIVERED before): a shipped
    order becomes DELIVERED on the buyer's word; the seller is paid from escrow now instead
    of at the end of the return window, and returns are closed. Publishes
    OrderReceiptConfirmed; again changes nothing."""
    caller = require(app)
    order = service.visible(orderId, caller, buyer_only=True)
    publish(service.confirm_receipt(order))
    return OrderOut(**service.view(order))


handler = lambda_handler(app)
