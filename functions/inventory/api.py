"""Inventory API (the offer's seller, staff, admins): stock per warehouse with recent
movements, receiving new units, adjustments with a reason, and the seller's warehouses."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from inventory import service
from inventory.schemas import (
    AdjustmentIn,
    InventoryOut,
    ReceiptIn,
    WarehouseIn,
    WarehouseList,
    WarehouseOut,
)
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import Unprocessable
from titan.events import publish
from titan.idempotency import idempotent

app = create_app()
OFFER_ID = r"^off_[0-9a-f]{20}$"


@app.get(
    "/inventory/offers/<offerId>",
    tags=["inventory"],
    summary="Stock of an offer",
    security=bearer("admin", "seller", "staff"),
)
def get_inventory(offerId: Annotated[str, Path(pattern=OFFER_ID)]) -> InventoryOut:
    """The offer's seller, staff or admins; anyone else 404 STOCK_NOT_FOUND."""
    return service.inventory_view(offerId, service.stocks_for(offerId, require(app)))


@app.post(
    "/inventory/offers/<offerId>/receipts",
    tags=["inventory"],
    summary="Receive units",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, InventoryOut),
)
def receive(
    offerId: Annotated[str, Path(pattern=OFFER_ID)], body: ReceiptIn
) -> Response[InventoryOut]:
    """Adds units to a warehouse's stock (default: the seller's own), with a RECEIVE movement.
    Takes an ``Idempotency-Key``. Any warehouse of the seller's (its first receipt opens the
    offer's stock there); 422 UNKNOWN_WAREHOUSE for one that is not the seller's."""
    caller = require(app)
    service.stocks_for(offerId, caller)  # 404 before the key is spent
    run = lambda: service.receive_units(offerId, caller, body.warehouseId, body.quantity)  # noqa: E731
    done = idempotent(
        app, "receive-stock", caller.id, {"offerId": offerId, **body.model_dump()}, run
    )
    return Response(201, "application/json", InventoryOut(**done))


@app.post(
    "/inventory/offers/<offerId>/adjustments",
    tags=["inventory"],
    summary="Correct stock",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, InventoryOut),
)
def adjust(
    offerId: Annotated[str, Path(pattern=OFFER_ID)], body: AdjustmentIn
) -> Response[InventoryOut]:
    """Adds or takes away units in a warehouse (default: the seller's own) with a reason
    (COUNT_CORRECTION, DAMAGED, LOST, FOUND, RETURNED_TO_SUPPLIER): an ADJUST movement.
    Units held for checkouts stay held: 409 STOCK_TOO_LOW when fewer are available than it
    takes. Crossing the low-stock threshold publishes LowStock (the seller is told). Takes an
    ``Idempotency-Key``."""
    caller = require(app)
    if body.change == 0:
        raise Unprocessable("An adjustment changes at least one unit.", code="ADJUSTMENT_EMPTY")
    service.stocks_for(offerId, caller)

    def run() -> dict:
        view, events = service.adjust(offerId, caller, body.warehouseId, body.change, body.reason)
        publish(events)
        return view

    done = idempotent(
        app, "adjust-stock", caller.id, {"offerId": offerId, **body.model_dump()}, run
    )
    return Response(201, "application/json", InventoryOut(**done))


SellerId = Annotated[str, Path(pattern=ids.SOURCE_ID)]


@app.get(
    "/inventory/sellers/<sellerId>/warehouses",
    tags=["inventory"],
    summary="A seller's warehouses",
    security=bearer("admin", "seller", "staff"),
)
def list_warehouses(sellerId: SellerId) -> WarehouseList:
    require(app).require_seller(sellerId)
    return WarehouseList(items=[WarehouseOut(**w) for w in service.warehouses(sellerId)])


@app.post(
    "/inventory/sellers/<sellerId>/warehouses",
    tags=["inventory"],
    summary="Add a warehouse",
    security=bearer("admin", "seller", "staff"),
    responses=answers(201, WarehouseOut),
)
def add_warehouse(sellerId: SellerId, body: WarehouseIn) -> Response[WarehouseOut]:
    """A warehouse the seller ships from besides its own address; receipts into it open an
    offer's stock there, and checkouts draw from the warehouse with the most units."""
    require(app).require_seller(sellerId)
    made = service.add_warehouse(sellerId, body.name, body.location.model_dump())
    return Response(201, "application/json", WarehouseOut(**made))


handler = lambda_handler(app)
