"""The orders API's request and response shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from titan.schemas import Money


class OrderLineOut(BaseModel):
    lineId: str
    productId: str
    sellerId: str
    offerId: str
    title: str | None = None
    quantity: int
    unitPrice: Money
    freight: Money = Field(description="Freight for the whole line")


class TotalsOut(BaseModel):
    subtotal: Money
    freight: Money
    discount: Money
    total: Money


class OrderPaymentOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    paymentId: str
    method: str
    amount: Money
    installments: int
    status: str


class StatusChange(BaseModel):
    status: str
    at: str
    reason: str | None = None


class RefundOut(BaseModel):
    returnId: str
    kind: str = Field(description="RETURN, CANCELLATION or LOST_PARCEL")
    amount: Money
    lines: list[dict]
    at: str


class OrderPackageOut(BaseModel):
    packageId: str
    sellerId: str
    lineIds: list[str]
    service: str = Field(description="The shipping option chosen at checkout")
    carrier: str
    freight: Money = Field(description="What the buyer paid to ship it")
    promisedBy: str = Field(description="Promised delivery date (ISO)")


class OrderOut(BaseModel):
    orderId: str
    customerId: str | None
    status: str = Field(description="PENDING_PAYMENT, CONFIRMED, SHIPPED, DELIVERED or CANCELLED")
    lines: list[OrderLineOut]
    totals: TotalsOut
    couponCode: str | None = None
    payments: list[OrderPaymentOut]
    shippingAddress: dict | None = None
    packages: list[OrderPackageOut] = Field(
        [], description="One per seller, shipped with the option chosen at checkout"
    )
    statusHistory: list[StatusChange]
    refunds: list[RefundOut] = []
    receiptConfirmedAt: str | None = None
    createdAt: str
    updatedAt: str


class OrderPage(BaseModel):
    orders: list[OrderOut]
    cursor: str | None = Field(None, description="Pass as ?cursor= for the next page")


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=200)] | None = None
