"""The flash sales API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from titan import ids
from titan.schemas import Money

#: A sale lasts at most this long (seconds).
MAX_DURATION_SECONDS = 7 * 86400


class SaleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    productId: Annotated[str, Field(pattern=ids.SOURCE_ID)]
    sellerId: Annotated[str, Field(pattern=ids.SOURCE_ID)]
    skuId: Annotated[
        str | None,
        Field(pattern=ids.pattern("sku"), description="A variant of the seller's listing"),
    ] = None
    salePrice: Annotated[int, Field(ge=1, description="Minor units; below the offer's price")]
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    perCustomerLimit: Annotated[int, Field(ge=1, le=99)]
    startsAt: datetime
    endsAt: datetime
    holdSeconds: Annotated[
        int, Field(ge=10, le=900, description="How long a reservation waits for its checkout")
    ] = 600
    expectedRate: Annotated[
        int, Field(ge=1, le=1_000_000, description="Purchase attempts per second to plan for")
    ] = 1_000

    @model_validator(mode="after")
    def _window(self) -> SaleIn:
        if self.startsAt.tzinfo is None or self.endsAt.tzinfo is None:
            raise ValueError("startsAt and endsAt need a time zone")
        if self.endsAt <= self.startsAt:
            raise ValueError("endsAt must be after startsAt")
        if (self.endsAt - self.startsAt).total_seconds() > MAX_DURATION_SECONDS:
            raise ValueError("a flash sale lasts at most 7 days")
        return self


class SaleOut(BaseModel):
    saleId: str
    productId: str
    sellerId: str
    skuId: str | None = None
    offerId: str
    title: str
    salePrice: Money
    listPrice: Money
    quantity: int
    remaining: int = Field(description="Units not reserved (the sum of the stock shards)")
    perCustomerLimit: int
    startsAt: datetime
    endsAt: datetime
    phase: Literal["UPCOMING", "ACTIVE", "ENDED"]
    secondsToStart: int = Field(description="0 once started")
    secondsToEnd: int = Field(description="0 once ended")
    holdSeconds: int
    shards: int


class SalesOut(BaseModel):
    sales: list[SaleOut]


class ReservationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: Annotated[int, Field(ge=1, le=99)] = 1


class ReservationOut(BaseModel):
    reservationId: str
    saleId: str
    quantity: int
    unitPrice: Money
    status: str
    expiresAt: datetime
