"""Events published by the fulfilment context (source ``titan.fulfilment``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.base import Event
from titan.ids import AccountId, OrderId, SourceId


class ShipmentStatusChanged(Event, source="titan.fulfilment"):
    """A package moved: packed, label bought, handed over, in transit, out for delivery,
    delivered, delivery failed, returned to sender, lost or cancelled. ``orderStatus`` is
    what the order's packages now add up to (SHIPPED, PARTIALLY_SHIPPED, DELIVERED), when
    that changed."""

    packageId: str
    direction: Annotated[str, Field(description="OUTBOUND, or RETURN (buyer to seller)")] = (
        "OUTBOUND"
    )
    returnId: Annotated[str | None, Field(description="The return a RETURN parcel carries")] = None
    orderId: OrderId
    customerId: AccountId
    customerEmail: Annotated[str | None, Field(description="For the buyer's e-mails")] = None
    sellerId: SourceId
    status: str
    previousStatus: str | None = None
    movedBy: Annotated[str, Field(description="Who moved it: SELLER, CARRIER, STAFF, SYSTEM")]
    carrier: str
    trackingNumber: str | None = None
    at: Annotated[str, Field(description="When it happened (the carrier's time for its events)")]
    orderStatus: str | None = None


class ShipmentLate(Event, source="titan.fulfilment"):
    """A package was still with its seller when its hand-over deadline passed (once)."""

    packageId: str
    orderId: OrderId
    sellerId: SourceId
    status: str
    handoverBy: str
