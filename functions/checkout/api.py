"""Checkout API: ``POST /checkout`` runs the checkout saga (Step Functions EXPRESS,
synchronous); ``POST /admin/coupons`` and ``GET /admin/coupons/{code}`` manage coupons.

``POST /checkout`` needs an ``Idempotency-Key``: the first answer for a key (an order, or a
refusal such as 402 PAYMENT_DECLINED) is the answer for every retry with that key, and a
second request with the key while the first runs gets 409 REQUEST_IN_PROGRESS, so a key
never makes two orders or two charges. A fault (5xx) is not kept: the retry runs again.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Annotated, Literal

import boto3
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from botocore.config import Config
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pynamodb.exceptions import PutError

from checkout import domain
from checkout.store import CouponItem
from titan import clock
from titan.api import create_app, lambda_handler
from titan.auth import bearer, require
from titan.cards import CardIn
from titan.context import correlation_id
from titan.errors import Conflict, NotFound, Problem
from titan.idempotency import idempotent, require_key
from titan.ids import new_id
from titan.observability import logger
from titan.saga import refusal_from_cause
from titan.schemas import Money

app = create_app()
CODE = r"^[A-Z0-9][A-Z0-9_-]{2,31}$"
#: Units stay reserved this long for a card checkout, and until the boleto's due date (+1 h).
CARD_HOLD_SECONDS = 15 * 60
BOLETO_HOLD_SECONDS = 3 * 86400 + 3600


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

    @model_validator(mode="after")
    def _card(self) -> PaymentIn:
        if self.method in ("card", "debit_card") and self.card is None:
            raise ValueError("card payments need card details")
        if self.method not in ("card", "debit_card") and self.card is not None:
            raise ValueError("only card payments take card details")
        return self


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


_sfn = None


def _start(state_input: dict) -> dict:
    global _sfn
    # Locally, boto3 would prefix the host with "sync-" for StartSyncExecution.
    _sfn = _sfn or boto3.client(
        "stepfunctions", config=Config(inject_host_prefix=False, read_timeout=70)
    )
    return _sfn.start_sync_execution(
        stateMachineArn=os.environ["CHECKOUT_STATE_MACHINE"],
        name=state_input["checkoutId"],
        input=json.dumps(state_input),
    )


def run_checkout(customer_id: str, body: CheckoutIn) -> dict:
    """Run the saga once; ``{"status": 201, "body": ...}`` or a refusal ``{"status": 4xx,
    "body": problem}``. Raises Problem 503 CHECKOUT_FAILED for a fault (after compensation)."""
    checkout_id = new_id("chk")
    payments = [p.model_dump(exclude_none=True) for p in body.payments]
    state_input = {
        "checkoutId": checkout_id,
        "orderId": "ord_" + checkout_id.split("_", 1)[1],
        "customerId": customer_id,
        "addressId": body.shippingAddressId,
        "couponCode": body.couponCode,
        "flashReservationId": body.reservationId,
        "payments": payments,
        "holdSeconds": BOLETO_HOLD_SECONDS
        if any(p["method"] == "boleto" for p in payments)
        else CARD_HOLD_SECONDS,
        "correlationId": correlation_id(),
    }
    result = _start(state_input)
    if result["status"] == "SUCCEEDED":
        return {"status": 201, "body": CheckoutOut(**json.loads(result["output"])).model_dump()}
    problem = refusal_from_cause(result.get("error"), result.get("cause"))
    if problem is not None:
        return {"status": problem.status, "body": problem.body()}
    logger.error(
        "checkout failed",
        extra={
            "status": result["status"],
            "error": result.get("error"),
            "cause": result.get("cause"),
        },
    )
    raise Problem(
        "The checkout could not be completed and was undone; try again.",
        status=503,
        code="CHECKOUT_FAILED",
        title="Checkout failed",
        headers={"Retry-After": "1"},
    )


@app.post(
    "/checkout",
    tags=["checkout"],
    summary="Place an order from my cart",
    security=bearer("customer"),
)
def checkout(body: CheckoutIn) -> Response[CheckoutOut]:
    """Runs the checkout saga on the cart: validate, price (with coupon), reserve stock, risk
    check, authorize payments, create the order, capture, commit stock, publish OrderPlaced.
    Any refusal undoes what was done. 201 with the order; 409 OUT_OF_STOCK, 402
    PAYMENT_DECLINED, 422 EMPTY_CART / ADDRESS_NOT_FOUND / PAYMENT_AMOUNTS_MISMATCH / COUPON_*,
    409 OFFER_UNAVAILABLE, 403 RISK_REJECTED. With a flash-sale ``reservationId``, the
    reservation's units are ordered at the sale price instead of the cart (once: 409
    RESERVATION_USED, RESERVATION_EXPIRED; 404 RESERVATION_NOT_FOUND). Needs an
    ``Idempotency-Key`` header (400 IDEMPOTENCY_KEY_REQUIRED)."""
    customer = require(app).id
    require_key(app)
    answer = idempotent(
        app,
        "checkout",
        customer,
        body.model_dump(mode="json"),
        lambda: run_checkout(customer, body),
    )
    if answer["status"] >= 400:
        raise Problem.from_body(answer["body"])
    return Response(201, "application/json", CheckoutOut(**answer["body"]))


def _coupon_out(item: CouponItem) -> CouponOut:
    return CouponOut(
        code=item.code,
        type=item.type,
        value=int(item.value),
        currency=item.currency,
        minOrderValue=None if item.min_order is None else int(item.min_order),
        maxDiscount=None if item.max_discount is None else int(item.max_discount),
        validFrom=item.valid_from,
        validUntil=item.valid_until,
        usageLimit=None if item.usage_limit is None else int(item.usage_limit),
        perCustomerLimit=None if item.per_customer_limit is None else int(item.per_customer_limit),
        used=int(item.used),
    )


@app.post(
    "/admin/coupons",
    tags=["checkout admin"],
    summary="Create a coupon",
    security=bearer("admin", "staff"),
)
def create_coupon(body: CouponIn) -> Response[CouponOut]:
    """Staff and admins. 409 COUPON_EXISTS for a code in use."""
    caller = require(app)
    iso = lambda moment: clock.iso(moment) if moment else None  # noqa: E731
    item = CouponItem(
        *CouponItem.key(body.code),
        code=body.code,
        type=body.type,
        value=body.value,
        currency=body.currency,
        min_order=body.minOrderValue,
        max_discount=body.maxDiscount,
        valid_from=iso(body.validFrom),
        valid_until=iso(body.validUntil),
        usage_limit=body.usageLimit,
        per_customer_limit=body.perCustomerLimit,
        used=0,
        created_by=caller.id,
        created_at=clock.iso(),
    )
    try:
        item.save(condition=CouponItem.pk.does_not_exist())
    except PutError as exc:
        raise Conflict("A coupon with this code exists.", code="COUPON_EXISTS") from exc
    return Response(201, "application/json", _coupon_out(item))


@app.get(
    "/admin/coupons/<code>",
    tags=["checkout admin"],
    summary="A coupon and its uses",
    security=bearer("admin", "staff"),
)
def get_coupon(code: Annotated[str, Path(pattern=CODE)]) -> CouponOut:
    require(app)
    try:
        return _coupon_out(CouponItem.get(*CouponItem.key(code), consistent_read=True))
    except CouponItem.DoesNotExist as exc:
        raise NotFound("No such coupon.", code="COUPON_NOT_FOUND") from exc


handler = lambda_handler(app)
