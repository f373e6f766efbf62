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


class OrderPartiallyShipped(OrderFacts, Event, source="titan.orders"):
    """Some of the order's packages left their sellers; others have not yet."""


class OrderShipped(OrderFacts, Event, source="titan.orders"):
    """Every package of the order left its seller (or staff marked it shipped)."""


class OrderDelivered(OrderFacts, Event, source="titan.orders"):
    """The order was delivered: by its carriers' word, its buyer's, or staff's."""

    deliveredAt: Annotated[
        str | None,
        Field(description="When it was delivered; the escrow's release clock counts from it"),
    ] = None


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


class OrderPlacedPackage(Contract):
    """One seller's package as the checkout chose to ship it (amounts in minor units)."""

    packageId: str
    sellerId: SourceId
    lineIds: list[str]
    service: str
    carrier: str
    freight: Annotated[int, Field(description="What the buyer paid to ship it")]
    subsidy: Annotated[int, Field(description="Carriage paid by fundedBy (free shipping)")] = 0
    fundedBy: str | None = None
    promisedBy: Annotated[str, Field(description="Promised delivery date (ISO)")]
    parcel: dict | None = None
    itemsValue: Annotated[int | None, Field(description="Declared value: the items' price")] = None
    originZip: str | None = None
    destinationZip: str | None = None


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
    discountFundedBy: Annotated[
        SourceId | None,
        Field(description="A shop voucher's seller, who funds the discount; null: the platform"),
    ] = None
    createdAt: Annotated[str | None, Field(description="When the order was made")] = None
    packages: list[OrderPlacedPackage] = []
    shipTo: Annotated[
        dict | None, Field(description="The shipping address, for the carrier's label")
    ] = None
