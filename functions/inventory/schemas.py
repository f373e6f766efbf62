"""The inventory API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


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


class WarehouseLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: Annotated[str, Field(min_length=1, max_length=80)]
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="Brazilian UF")]
    zipPrefix: Annotated[str, Field(pattern=r"^[0-9]{5}$", description="The CEP's first 5 digits")]


class WarehouseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S")]
    location: WarehouseLocation


class WarehouseOut(BaseModel):
    warehouseId: str
    name: str
    location: dict | None = Field(description="null: the seller's own address")


class WarehouseList(BaseModel):
    items: list[WarehouseOut]


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    change: Annotated[
        int, Field(ge=-100_000, le=100_000, description="Units, negative: fewer; not 0")
    ]
    reason: Literal["COUNT_CORRECTION", "DAMAGED", "LOST", "FOUND", "RETURNED_TO_SUPPLIER"]
    warehouseId: Annotated[str, Field(pattern=r"^wh_[0-9a-zA-Z_-]{1,64}$")] | None = None
