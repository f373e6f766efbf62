"""Orders API: ``GET /orders``, ``GET /orders/{orderId}``, ``POST /orders/{orderId}/cancel``,
the fulfilment moves ``POST /orders/{orderId}/ship`` and ``/deliver``, and the buyer's
``POST /orders/{orderId}/confirm-receipt``.

Who sees an order: its customer, a seller with a line in it, staff and admins; to anyone
else it does not exist (404)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from orders import service
from orders.store import DELIVERED, SHIPPED, Order, SellerOrder
from titan.api import create_app, lambda_handler, page_cursor, page_start
from titan.auth import Principal, bearer, require
from titan.errors import Conflict, Forbidden, NotFound
from titan.events import publish
from titan.schemas import Money

app = create_app()
ORDER_ID = r"^ord_[0-9A-HJKMNP-TV-Z]{26}$"


class OrderLineOut(BaseModel):
    lineId: str
    productId: str
    sellerId: str
    offerId: str
    title: str | None = None
    quantity: int
    unitPrice: Money
    freight: Money = Field(description="Freight for the whole line")


class TotalsOut(BaseModel):
    subtotal: Money
    freight: Money
    discount: Money
    total: Money


class OrderPaymentOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    paymentId: str
    method: str
    amount: Money
    installments: int
    status: str


class StatusChange(BaseModel):
    status: str
    at: str
    reason: str | None = None


class RefundOut(BaseModel):
    returnId: str
    kind: str = Field(description="RETURN or CANCELLATION")
    amount: Money
    lines: list[dict]
    at: str


class OrderOut(BaseModel):
    orderId: str
    customerId: str | None
    status: str = Field(description="PENDING_PAYMENT, CONFIRMED, SHIPPED, DELIVERED or CANCELLED")
    lines: list[OrderLineOut]
    totals: TotalsOut
    couponCode: str | None = None
    payments: list[OrderPaymentOut]
    shippingAddress: dict | None = None
    statusHistory: list[StatusChange]
    refunds: list[RefundOut] = []
    receiptConfirmedAt: str | None = None
    createdAt: str
    updatedAt: str


class OrderPage(BaseModel):
    orders: list[OrderOut]
    cursor: str | None = Field(None, description="Pass as ?cursor= for the next page")


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=200)] | None = None


def _shown(order: Order, caller: Principal) -> OrderOut:
    """The whole order for its buyer and staff; a seller's part for a seller of it."""
    if order.customer_id == caller.id or caller.has_any("staff", "admin"):
        return OrderOut(**service.view(order))
    return OrderOut(**service.seller_view(order, caller.seller_id))


def _visible(order_id: str) -> tuple[Order, Principal]:
    caller = require(app)
    try:
        order = Order.get(*Order.key(order_id))
    except Order.DoesNotExist as exc:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND") from exc
    allowed = (
        order.customer_id == caller.id
        or caller.has_any("staff", "admin")
        or (caller.seller_id is not None and caller.seller_id in (order.seller_ids or set()))
    )
    if not allowed or order.customer_id is None:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    return order, caller


@app.get("/orders", tags=["orders"], summary="Orders, newest first", security=bearer())
def list_orders(
    sellerId: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None,
    customerId: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> OrderPage:
    """My orders; ``?sellerId=`` a seller's (that seller or staff); ``?customerId=`` a
    customer's (staff)."""
    caller = require(app)
    if sellerId:
        if caller.seller_id != sellerId and not caller.has_any("staff", "admin"):
            raise Forbidden("Sellers see their own orders only.", code="NOT_YOUR_SELLER")
        partition = f"SELLER#{sellerId}"
        start = page_start(cursor, ("pk", "sk"), {"pk": partition})
        page = SellerOrder.query(
            partition, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
        ids = [item.order_id for item in page]
        orders = {o.order_id: o for o in Order.batch_get([Order.key(i) for i in ids])}
        found = [orders[i] for i in ids if i in orders]
    else:
        if customerId and customerId != caller.id and not caller.has_any("staff", "admin"):
            raise Forbidden("You can list your own orders only.", code="FORBIDDEN")
        partition = f"CUSTOMER#{customerId or caller.id}"
        page = Order.by_customer.query(
            partition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=page_start(
                cursor, ("pk", "sk", "gsi1pk", "gsi1sk"), {"gsi1pk": partition}
            ),
        )
        found = list(page)
    return OrderPage(
        orders=[_shown(o, caller) for o in found],
        cursor=page_cursor(page.last_evaluated_key),
    )


@app.get("/orders/<orderId>", tags=["orders"], summary="An order", security=bearer())
def get_order(orderId: Annotated[str, Path(pattern=ORDER_ID)]) -> OrderOut:
    """Lines, totals, payments, shipping address and status history, for the buyer and
    staff; a seller of the order sees their part only (``service.seller_view``)."""
    order, caller = _visible(orderId)
    return _shown(order, caller)


@app.post(
    "/orders/<orderId>/cancel", tags=["orders"], summary="Cancel before shipping", security=bearer()
)
def cancel_order(
    orderId: Annotated[str, Path(pattern=ORDER_ID)], body: CancelIn | None = None
) -> OrderOut:
    """The customer or staff, while PENDING_PAYMENT or CONFIRMED (409 ORDER_NOT_CANCELLABLE
    after). Publishes OrderCancelled: payments are voided or refunded, stock goes back, the
    coupon use is given back. Cancelling a cancelled order again changes nothing."""
    order, caller = _visible(orderId)
    if order.customer_id != caller.id and not caller.has_any("staff", "admin"):
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    reason = (body.reason if body else None) or (
        "CUSTOMER_REQUEST" if order.customer_id == caller.id else "STAFF"
    )
    publish(service.cancel(order, reason))
    return OrderOut(**service.view(order))


def _fulfil(order_id: str, status: str, detail_type: str) -> OrderOut:
    order, caller = _visible(order_id)
    sellers = order.seller_ids or set()
    if not caller.has_any("staff", "admin") and sellers != {caller.seller_id}:
        raise Forbidden("Only the order's seller or staff can do this.", code="NOT_YOUR_ORDER")
    try:
        moved = service.move(order, status)
    except service.StatusConflict as exc:
        raise Conflict(
            f"An order that is {order.status} cannot become {status}.", code="INVALID_STATUS_CHANGE"
        ) from exc
    if moved:
        publish([service.status_event(order, detail_type)])
    return _shown(order, caller)


@app.post(
    "/orders/<orderId>/ship",
    tags=["orders"],
    summary="Mark as shipped",
    security=bearer("admin", "seller", "staff"),
)
def ship(orderId: Annotated[str, Path(pattern=ORDER_ID)]) -> OrderOut:
    """The seller (of every line) or staff; CONFIRMED → SHIPPED. Publishes OrderShipped."""
    return _fulfil(orderId, SHIPPED, "OrderShipped")


@app.post(
    "/orders/<orderId>/deliver",
    tags=["orders"],
    summary="Mark as delivered",
    security=bearer("admin", "seller", "staff"),
)
def deliver(orderId: Annotated[str, Path(pattern=ORDER_ID)]) -> OrderOut:
    """The seller or staff; SHIPPED → DELIVERED. Publishes OrderDelivered."""
    return _fulfil(orderId, DELIVERED, "OrderDelivered")


@app.post(
    "/orders/<orderId>/confirm-receipt",
    tags=["orders"],
    summary="I received the goods",
    security=bearer(),
)
def confirm_receipt(orderId: Annotated[str, Path(pattern=ORDER_ID)]) -> OrderOut:
    """The buyer, once DELIVERED (409 ORDER_NOT_DELIVERED before): the seller is paid from
    escrow now instead of at the end of the return window, and returns are closed. Publishes
    OrderReceiptConfirmed; again changes nothing."""
    order, caller = _visible(orderId)
    if order.customer_id != caller.id:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    publish(service.confirm_receipt(order))
    return OrderOut(**service.view(order))


handler = lambda_handler(app)
