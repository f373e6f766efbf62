"""Events published by the inventory context (source ``titan.inventory``)."""

from __future__ import annotations

from contracts.base import Contract, Event


class LowStock(Event, source="titan.inventory"):
    """An offer's available units in a warehouse fell below the threshold."""

    offerId: str
    productId: str
    sellerId: str
    warehouseId: str
    available: int
    threshold: int


class StockCommittedLine(Contract):
    offerId: str
    warehouseId: str
    quantity: int


class StockCommitted(Event, source="titan.inventory"):
    """A reservation's units were sold."""

    reservationId: str
    status: str
    lines: list[StockCommittedLine]


class StockReleasedLine(Contract):
    offerId: str
    warehouseId: str
    quantity: int


class StockReleased(Event, source="titan.inventory"):
    """A reservation's units were given back (released, or restocked after a cancelled order)."""

    reservationId: str
    status: str
    lines: list[StockReleasedLine]
    reason: str


class StockReservedLine(Contract):
    offerId: str
    warehouseId: str
    quantity: int


class StockReserved(Event, source="titan.inventory"):
    """Units were held for a checkout."""

    reservationId: str
    status: str
    lines: list[StockReservedLine]


class StockRestockedLine(Contract):
    offerId: str
    warehouseId: str
    quantity: int


class StockRestocked(Event, source="titan.inventory"):
    """Returned units went back on hand and on sale."""

    returnId: str
    reservationId: str
    lines: list[StockRestockedLine]
