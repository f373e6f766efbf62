"""The returns API's request and response shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from titan.schemas import Money


class ReturnLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lineId: Annotated[str, Field(max_length=40)]
    quantity: Annotated[int, Field(ge=1, le=1000)]
    reason: Literal[
        "DAMAGED", "NOT_AS_DESCRIBED", "WRONG_ITEM", "MISSING_PARTS", "CHANGED_MIND", "OTHER"
    ]


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=50)]
    refundTo: Literal["original", "wallet"] = "original"


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=500)] | None = None


class ReturnOut(BaseModel):
    returnId: str
    kind: str = Field(
        description="RETURN, CANCELLATION (a paid order cancelled) or LOST_PARCEL (the "
        "carrier lost it)"
    )
    orderId: str
    status: str = Field(
        description="REQUESTED, PENDING_DECISION, APPROVED, REJECTED, RECEIVED, REFUNDED, "
        "EXPIRED or FAILED"
    )
    refundTo: str
    refund: Money
    lines: list[dict]
    autoApproved: bool
    history: list[dict]
    createdAt: str
    updatedAt: str


class ReturnPage(BaseModel):
    items: list[ReturnOut]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page")
