"""The shipping API's request and response models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from titan.schemas import Money


class ShippingQuoteOut(BaseModel):
    """One service's offer to carry the parcel."""

    service: str = Field(description="POST_STANDARD, POST_EXPRESS, RAPIDO_ROAD or MARKET")
    carrier: str
    name: str
    freight: Money = Field(description="Carriage, insurance excluded")
    insurance: Money = Field(description="Declared-value insurance")
    total: Money
    transitDays: int = Field(description="Business days from hand-over to delivery")
    promisedBy: str = Field(
        description="Promised delivery date (ISO) if bought today: the promise fitted on "
        "real orders (docs/logistics.md), scaled to the service's speed"
    )


class ShippingQuotesOut(BaseModel):
    zone: Literal["LOCAL", "STATE", "REGIONAL", "NATIONAL"]
    distanceKm: float
    billableWeightGrams: int = Field(description="The larger of actual and cubic weight")
    options: list[ShippingQuoteOut] = Field(description="Cheapest first")
