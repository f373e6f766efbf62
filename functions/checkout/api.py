"""Checkout API: ``POST /checkout`` runs the checkout saga (Step Functions EXPRESS,
synchronous); ``POST /admin/coupons`` and ``GET /admin/coupons/{code}`` manage coupons.

``POST /checkout`` needs an ``Idempotency-Key``: the first answer for a key (an order, or a
refusal such as 402 PAYMENT_DECLINED) is the answer for every retry with that key, and a
second request with the key while the first runs gets 409 REQUEST_IN_PROGRESS, so a key
never makes two orders or two charges. A fault (5xx) is not kept: the retry runs again.

The answer comes within API Gateway's 29 s: a saga still running after ``ANSWER_SECONDS``
goes on, and the caller hears 409 CHECKOUT_IN_PROGRESS with the order's id and where to look.
The checkout and order ids follow from the key (``titan.ids.derived_id``) and each start is
recorded (``Attempt``), so a retry with the key never starts a second saga: it gets the order
once the first one made it.
"""

from __future__ import annotations

import functools
import json
import os
from datetime import datetime
from typing import Annotated, Literal

import boto3
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pynamodb.exceptions import PutError

from checkout import domain
from checkout.store import Attempt, CouponItem
from titan import clock
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.cards import CardIn
from titan.context import correlation_id
from titan.dynamo import condition_failed, get_or_404
from titan.errors import Conflict, Problem
from titan.idempotency import idempotent, require_key
from titan.ids import derived_id
from titan.observability import logger
from titan.saga import call_step, refusal_from_cause
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


#: Seconds the API waits for the saga before answering CHECKOUT_IN_PROGRESS: API Gateway
#: cuts a REST integration at 29 s, and the answer needs time to travel.
ANSWER_SECONDS = 24
#: An Express workflow runs at most 5 minutes: an attempt older than that has ended.
SAGA_LIMIT_SECONDS = 300


@functools.cache
def _sfn(read_timeout: float):
    # Locally, boto3 would prefix the host with "sync-" for StartSyncExecution.
    return boto3.client(
        "stepfunctions",
        config=Config(
            inject_host_prefix=False, read_timeout=read_timeout, retries={"max_attempts": 0}
        ),
    )


def _answer_seconds() -> float:
    """Seconds left to wait for the saga: ``ANSWER_SECONDS``, less if the Lambda has less."""
    context = app.lambda_context
    remaining = context.get_remaining_time_in_millis() / 1000 if context else ANSWER_SECONDS
    return max(1.0, min(ANSWER_SECONDS, remaining - 3))


def _start(state_input: dict) -> dict | None:
    """The saga's result, or None if it is still running when the answer is due."""
    try:
        return _sfn(round(_answer_seconds())).start_sync_execution(
            stateMachineArn=os.environ["CHECKOUT_STATE_MACHINE"],
            name=state_input["checkoutId"],
            input=json.dumps(state_input),
        )
    except ReadTimeoutError:
        return None


def _in_progress(order_id: str) -> Problem:
    return Problem(
        "The checkout is still running. Retry with the same Idempotency-Key to get the order, "
        "or read it at GET /orders/{orderId}.",
        status=409,
        code="CHECKOUT_IN_PROGRESS",
        title="Checkout in progress",
        headers={"Retry-After": "2", "Location": f"/orders/{order_id}"},
        orderId=order_id,
    )


def _earlier_attempt(attempt: Attempt) -> dict:
    """The answer for a key whose saga an earlier request started and whose answer was lost:
    the order if it was made; 409 CHECKOUT_IN_PROGRESS while the saga may still run; 409
    CHECKOUT_NOT_PLACED once it has ended without an order."""
    try:
        order = call_step("ORDERS_STEPS_FUNCTION", "get", {"orderId": attempt.order_id})
    except Problem as exc:
        if exc.code != "ORDER_NOT_FOUND":
            raise
        if clock.epoch_seconds() - attempt.started_at < SAGA_LIMIT_SECONDS:
            raise _in_progress(attempt.order_id) from exc
        return {
            "status": 409,
            "body": Problem(
                "This checkout ended without an order (refused or undone): nothing was "
                "charged. Start a new one with a new Idempotency-Key.",
                status=409,
                code="CHECKOUT_NOT_PLACED",
                title="Checkout not placed",
            ).body(),
        }
    total = order["totals"]["total"]
    out = CheckoutOut(orderId=order["orderId"], status=order["status"], total=total)
    return {"status": 201, "body": out.model_dump()}


def _begin(customer_id: str, key: str) -> Attempt | dict:
    """Record a new saga run for the key and return it; or, when a run may still be going
    (RUNNING), the answer for it (``_earlier_attempt``). Each run has its own checkout and
    order ids, derived from the key and the run number."""
    attempt_id = derived_id("chk", customer_id, key)
    for _ in range(3):
        try:
            attempt = Attempt.get(*Attempt.key(attempt_id), consistent_read=True)
        except Attempt.DoesNotExist:
            attempt = Attempt(*Attempt.key(attempt_id), run=0)
        if attempt.run and attempt.status == "RUNNING":
            return _earlier_attempt(attempt)
        run = int(attempt.run) + 1
        checkout_id = derived_id("chk", customer_id, key, str(run))
        now = clock.epoch_seconds()
        attempt.run, attempt.status, attempt.started_at = run, "RUNNING", now
        attempt.checkout_id = checkout_id
        attempt.order_id = "ord_" + checkout_id.split("_", 1)[1]
        attempt.expires_at = now + 2 * 24 * 3600
        try:
            attempt.save()
            return attempt
        except PutError as exc:
            if not condition_failed(exc):
                raise
    raise _in_progress(attempt.order_id)


def _end(attempt: Attempt) -> None:
    attempt.status = "ENDED"
    attempt.save()


def run_checkout(customer_id: str, body: CheckoutIn, key: str) -> dict:
    """Run the saga once for the caller's Idempotency-Key ``key``; ``{"status": 201, "body":
    ...}`` or a refusal ``{"status": 4xx, "body": problem}``. Raises Problem 409
    CHECKOUT_IN_PROGRESS when the saga outlasts the answer (see the module docstring), 503
    CHECKOUT_FAILED for a fault (after compensation)."""
    attempt = _begin(customer_id, key)
    if isinstance(attempt, dict):
        return attempt
    checkout_id, order_id = attempt.checkout_id, attempt.order_id
    payments = [p.model_dump(exclude_none=True) for p in body.payments]
    state_input = {
        "checkoutId": checkout_id,
        "orderId": order_id,
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
    if result is None:
        raise _in_progress(order_id)
    _end(attempt)
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
    responses=answers(201, CheckoutOut),
)
def checkout(body: CheckoutIn) -> Response[CheckoutOut]:
    """Runs the checkout saga on the cart: validate, price (with coupon), reserve stock, risk
    check, authorize payments, create the order, capture, commit stock, publish OrderPlaced.
    Any refusal undoes what was done. 201 with the order; 409 OUT_OF_STOCK, 402
    PAYMENT_DECLINED, 422 EMPTY_CART / ADDRESS_NOT_FOUND / PAYMENT_AMOUNTS_MISMATCH / COUPON_*,
    409 OFFER_UNAVAILABLE, 403 RISK_REJECTED. With a flash-sale ``reservationId``, the
    reservation's units are ordered at the sale price instead of the cart (once: 409
    RESERVATION_USED, RESERVATION_EXPIRED; 404 RESERVATION_NOT_FOUND). Needs an
    ``Idempotency-Key`` header (400 IDEMPOTENCY_KEY_REQUIRED). Answers within 29 s: 409
    CHECKOUT_IN_PROGRESS (``orderId``, ``Location``, ``Retry-After``) if the saga is still
    running, and a retry with the same key then gets the order (or 409 CHECKOUT_NOT_PLACED)."""
    customer = require(app).id
    key = require_key(app)
    answer = idempotent(
        app,
        "checkout",
        customer,
        body.model_dump(mode="json"),
        lambda: run_checkout(customer, body, key),
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
    responses=answers(201, CouponOut),
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
    return _coupon_out(
        get_or_404(
            CouponItem, *CouponItem.key(code), code="COUPON_NOT_FOUND", detail="No such coupon."
        )
    )


handler = lambda_handler(app)
