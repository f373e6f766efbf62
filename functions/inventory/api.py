"""Inventory API (the offer's seller, staff, admins): stock per warehouse with recent
movements, and receiving new units."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field

from inventory import service
from inventory.store import Movement, Stock
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import NotFound, Unprocessable
from titan.idempotency import idempotent

app = create_app()
OFFER_ID = r"^off_[0-9a-f]{20}$"


class StockOut(BaseModel):
    warehouseId: str
    onHand: int = Field(description="Units in the warehouse")
    reserved: int = Field(description="Units held for checkouts in progress or unpaid orders")
    available: int = Field(description="onHand - reserved: what can still be sold")
    location: dict | None = None


class MovementOut(BaseModel):
    movementId: str
    warehouseId: str
    kind: str = Field(description="RECEIVE, RESERVE, RELEASE, COMMIT or RESTOCK")
    onHandChange: int
    reservedChange: int
    reference: str
    at: str


class InventoryOut(BaseModel):
    offerId: str
    sellerId: str
    available: int
    warehouses: list[StockOut]
    movements: list[MovementOut] = Field(description="The latest 50, newest first")


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    warehouseId: Annotated[str, Field(pattern=r"^wh_[0-9a-zA-Z_-]{1,64}$")] | None = None


def _stocks(offer_id: str) -> list[Stock]:
    caller = require(app)
    stocks = Stock.of(offer_id)
    if not stocks or not (
        caller.has_any("staff", "admin") or caller.seller_id == stocks[0].seller_id
    ):
        raise NotFound("No stock for this offer.", code="STOCK_NOT_FOUND")
    return stocks


def _view(offer_id: str, stocks: list[Stock]) -> InventoryOut:
    moves = Movement.query(
        f"OFFER#{offer_id}", Movement.sk.startswith("MOVE#"), scan_index_forward=False, limit=50
    )
    return InventoryOut(
        offerId=offer_id,
        sellerId=stocks[0].seller_id,
        available=sum(int(s.available) for s in stocks),
        warehouses=[
            StockOut(
                warehouseId=s.warehouse_id,
                onHand=int(s.on_hand),
                reserved=int(s.reserved),
                available=int(s.available),
                location=s.location.as_dict() if s.location else None,
            )
            for s in stocks
        ],
        movements=[
            MovementOut(
                movementId=m.movement_id,
                warehouseId=m.warehouse_id,
                kind=m.kind,
                onHandChange=int(m.on_hand_change),
                reservedChange=int(m.reserved_change),
                reference=m.reference,
                at=m.at,
            )
            for m in moves
        ],
    )


@app.get(
    "/inventory/offers/<offerId>",
    tags=["inventory"],
    summary="Stock of an offer",
    security=bearer("admin", "seller", "staff"),
)
def get_inventory(offerId: Annotated[str, Path(pattern=OFFER_ID)]) -> InventoryOut:
    """The offer's seller, staff or admins; anyone else 404 STOCK_NOT_FOUND."""
    return _view(offerId, _stocks(offerId))


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
    stocks = _stocks(offerId)
    warehouse = body.warehouseId or service.warehouse_of(stocks[0].seller_id)
    if warehouse not in {s.warehouse_id for s in stocks}:
        raise Unprocessable("This offer has no stock in that warehouse.", code="UNKNOWN_WAREHOUSE")

    def run() -> dict:
        service.receive(offerId, warehouse, body.quantity, caller.id, "receipt")
        return _view(offerId, Stock.of(offerId)).model_dump()

    done = idempotent(
        app, "receive-stock", caller.id, {"offerId": offerId, **body.model_dump()}, run
    )
    return Response(201, "application/json", InventoryOut(**done))


handler = lambda_handler(app)
