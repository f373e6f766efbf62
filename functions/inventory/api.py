"""Inventory API (the offer's seller, staff, admins): stock per warehouse with recent
movements, and receiving new units."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from inventory import service
from inventory.schemas import InventoryOut, ReceiptIn
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
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
    Takes an ``Idempotency-Key``. 422 UNKNOWN_WAREHOUSE for a warehouse without this offer."""
    caller = require(app)
    service.stocks_for(offerId, caller)  # 404 before the key is spent
    run = lambda: service.receive_units(offerId, caller, body.warehouseId, body.quantity)  # noqa: E731
    done = idempotent(
        app, "receive-stock", caller.id, {"offerId": offerId, **body.model_dump()}, run
    )
    return Response(201, "application/json", InventoryOut(**done))


handler = lambda_handler(app)
