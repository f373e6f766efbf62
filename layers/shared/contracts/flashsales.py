"""Events published by the flashsales context (source ``titan.flashsales``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts.base import Event, Instant


class FlashSaleSoldOut(Event, source="titan.flashsales"):
    """Every unit of a flash sale is reserved or sold (once per selling out; expired reservations
    can reopen it).
    """

    saleId: str
    offerId: str
    productId: str
    sellerId: str
    quantity: int
    soldOutAt: Instant


class FlashSaleStarted(Event, source="titan.flashsales"):
    """A flash sale's window opened (announced by the minute sweep, once)."""

    saleId: str
    productId: str
    sellerId: str
    offerId: str
    title: str
    salePrice: Annotated[int, Field(description="Minor units")]
    listPrice: Annotated[int, Field(description="Minor units")]
    currency: str
    quantity: int
    perCustomerLimit: int
    startsAt: Instant
    endsAt: Instant


class ReservationExpired(Event, source="titan.flashsales"):
    """A flash-sale reservation was not checked out within the sale's hold time; its units went
    back to the sale.
    """

    reservationId: str
    saleId: str
    customerId: str
    quantity: int
    expiresAt: Instant
