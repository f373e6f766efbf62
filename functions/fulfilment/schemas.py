"""The fulfilment API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Centimetres = Annotated[float, Field(gt=0, le=300, description="Outer size, cm")]


class PackIn(BaseModel):
    """The packed box as measured: what the carrier will charge on."""

    model_config = ConfigDict(extra="forbid")
    weightGrams: Annotated[int, Field(ge=1, le=100_000)]
    lengthCm: Centimetres
    heightCm: Centimetres
    widthCm: Centimetres


class StaffMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal[
        "HANDED_OVER",
        "IN_TRANSIT",
        "OUT_FOR_DELIVERY",
        "DELIVERED",
        "DELIVERY_FAILED",
        "RETURNED_TO_SENDER",
        "LOST",
        "CANCELLED",
    ]
    reason: Annotated[str, Field(min_length=3, max_length=300)]


class CarrierEventIn(BaseModel):
    """What the sandbox carrier reports of a parcel (the test control)."""

    model_config = ConfigDict(extra="forbid")
    code: Literal[
        "PICKED_UP",
        "IN_TRANSIT",
        "OUT_FOR_DELIVERY",
        "DELIVERED",
        "DELIVERY_FAILED",
        "RETURNED_TO_SENDER",
    ]
    location: Annotated[str, Field(max_length=120)] | None = None
    at: (
        Annotated[AwareDatetime, Field(description="ISO 8601 with its offset; now when left out")]
        | None
    ) = None


class TimelineEntry(BaseModel):
    status: str
    at: str
    source: str | None = None
    code: str | None = None
    location: str | None = None
    reason: str | None = None


class TrackingOut(BaseModel):
    """Public tracking: no personal data."""

    trackingNumber: str | None
    carrier: str
    service: str
    status: str
    promisedBy: str | None
    timeline: list[TimelineEntry]


class ShipmentOut(TrackingOut):
    packageId: str
    direction: str = Field(description="OUTBOUND, or RETURN (an approved return's label)")
    returnId: str | None = None
    orderId: str
    sellerId: str
    lineIds: list[str]
    parcel: dict | None = None
    handoverBy: str | None = Field(None, description="The seller hands it over by then")
    shipTo: dict | None = Field(None, description="Shown while the seller has it to ship")
    hasLabel: bool
    carrierLiability: dict | None = Field(
        None, description="Staff: what the carrier owes for a parcel it lost (its declared value)"
    )
    labelUrl: str | None = Field(None, description="Presigned, valid 15 minutes")


class ShipmentPage(BaseModel):
    shipments: list[ShipmentOut]


class LabelOut(BaseModel):
    url: str
    expiresIn: int = Field(description="Seconds")


class CarrierEventOut(BaseModel):
    received: bool
    events: int = Field(description="Events the parcel's move published (0 for a repeat)")
