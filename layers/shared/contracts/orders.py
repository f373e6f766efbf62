"""Events published by the orders context (source ``titan.orders``).

A status move (confirmed, shipped, delivered, receipt confirmed, cancelled) carries the order
as it stands (``OrderFacts``); OrderPlaced carries the whole order.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.base import Contract, Event, Money
from titan.ids import AccountId, CheckoutId, OrderId, SourceId


class OrderFacts(Contract):
    """The order as it stands after a status move."""

    orderId: OrderId
    checkoutId: CheckoutId
    reservationId: Annotated[str, Field(description="The inventory reservation of its units")]
    customerId: AccountId
    status: str
    total: Money


class OrderConfirmed(OrderFacts, Event, source="titan.orders"):
    """A pending order's payments were all captured (a boleto was paid)."""

    reason: str | None = None


class OrderShipped(OrderFacts, Event, source="titan.orders"):
    """The seller shipped the order."""


class OrderDelivered(OrderFacts, Event, source="titan.orders"):
    """The order was delivered."""


class OrderReceiptConfirmed(OrderFacts, Event, source="titan.orders"):
    """The buyer confirmed the goods arrived: the seller is paid from escrow and returns close."""


class OrderCancelled(OrderFacts, Event, source="titan.orders"):
    """An order was cancelled before shipping; stock and coupon uses are given back,
    authorizations voided, and a paid order is refunded by the refund saga."""

    reason: Annotated[str, Field(description="Why: CUSTOMER_REQUEST, STAFF, PAYMENT_EXPIRED, ...")]
    previousStatus: Annotated[
        str | None,
        Field(description="CONFIRMED: the order was paid, and is refunded through the refund saga"),
    ] = None


class OrderPlacedLine(Contract):
    lineId: str
    cartLineId: str
    productId: SourceId
    sellerId: SourceId
    offerId: str
    quantity: int
    title: str
    unitPrice: Money
    freight: Annotated[Money, Field(description="Freight for the whole line")]


class OrderPlacedPayment(Contract):
    paymentId: str
    method: str
    amount: Money
    installments: int
    status: str


class OrderPlaced(Event, source="titan.orders"):
    """An order was placed: paid (CONFIRMED) or awaiting a boleto (PENDING_PAYMENT). Once per
    order: eventId follows from orderId.
    """

    orderId: OrderId
    checkoutId: CheckoutId
    customerId: AccountId
    customerEmail: str
    customerName: str
    status: str
    lines: list[OrderPlacedLine]
    total: Money
    payments: list[OrderPlacedPayment]
    discount: Money
