"""The checkout API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checkout import domain
from titan import ids
from titan.cards import CardIn
from titan.schemas import Money

CODE = r"^[A-Z0-9][A-Z0-9_-]{2,31}$"


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["card", "debit_card", "boleto", "voucher", "wallet"]
    amount: (
        Annotated[
            int, Field(ge=1, description="Minor units; leave out on one payment to pay the rest")
        ]
        | None
    ) = None
    installments: Annotated[int, Field(ge=1, le=domain.MAX_INSTALLMENTS)] = 1
    card: CardIn | None = None
    voucherCode: (
        Annotated[
            str,
            Field(pattern=CODE, description="The gift voucher that pays a voucher payment"),
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _instrument(self) -> PaymentIn:
        if self.method in ("card", "debit_card") and self.card is None:
            raise ValueError("card payments need card details")
        if self.method not in ("card", "debit_card") and self.card is not None:
            raise ValueError("only card payments take card details")
        if (self.method == "voucher") != (self.voucherCode is not None):
            raise ValueError("a voucher payment needs its voucherCode, and only it takes one")
        return self


class ShippingChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sellerId: Annotated[str, Field(pattern=ids.SOURCE_ID)]
    service: Annotated[
        str,
        Field(
            pattern=r"^[A-Z][A-Z_]{2,31}$",
            description="One of the package's options (GET /cart/shipping-options): SELLER, "
            "POST_STANDARD, POST_EXPRESS, RAPIDO_ROAD or MARKET",
        ),
    ]


class CheckoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shippingAddressId: Annotated[str, Field(pattern=r"^addr_[0-9A-HJKMNP-TV-Z]{26}$")]
    payments: Annotated[list[PaymentIn], Field(min_length=1, max_length=20)]
    couponCode: Annotated[str, Field(pattern=CODE)] | None = None
    reservationId: (
        Annotated[
            str,
            Field(
                pattern=r"^fsr_[0-9A-HJKMNP-TV-Z]{26}$",
                description="A flash-sale reservation: order its units at the sale price "
                "instead of the cart",
            ),
        ]
        | None
    ) = None
    shipping: (
        Annotated[
            list[ShippingChoiceIn],
            Field(
                max_length=40,
                description="The chosen option per seller's package; a package not named "
                "ships at the seller's rate (SELLER)",
            ),
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _one_choice_per_seller(self) -> CheckoutIn:
        sellers = [choice.sellerId for choice in self.shipping or []]
        if len(sellers) != len(set(sellers)):
            raise ValueError("choose one shipping option per seller")
        return self


class CheckoutOut(BaseModel):
    orderId: str
    status: str = Field(description="CONFIRMED (paid) or PENDING_PAYMENT (a boleto to pay)")
    total: Money


class CouponIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=CODE)]
    type: Literal["percentage", "fixed_amount", "free_shipping"]
    value: Annotated[
        int,
        Field(ge=0, description="percentage: basis points (1000 = 10%); fixed_amount: minor units"),
    ] = 0
    currency: Literal["BRL"] = "BRL"
    minOrderValue: Annotated[int, Field(ge=0)] | None = None
    maxDiscount: Annotated[int, Field(ge=1)] | None = None
    validFrom: datetime | None = None
    validUntil: datetime | None = None
    usageLimit: Annotated[int, Field(ge=1)] | None = None
    perCustomerLimit: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _rules(self) -> CouponIn:
        if self.type == "percentage" and not 1 <= self.value <= 10_000:
            raise ValueError("a percentage is 1-10000 basis points")
        if self.type == "fixed_amount" and self.value < 1:
            raise ValueError("a fixed amount must be at least 1")
        for moment in (self.validFrom, self.validUntil):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("validFrom and validUntil need a time zone")
        if self.validFrom and self.validUntil and self.validUntil <= self.validFrom:
            raise ValueError("validUntil must be after validFrom")
        return self


class CouponOut(CouponIn):
    used: int
    sellerId: str | None = Field(
        default=None, description="A shop voucher's seller (it funds the discount); null: platform"
    )


class VoucherList(BaseModel):
    items: list[CouponOut]
