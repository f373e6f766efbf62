"""Checkout's use cases: running the checkout saga for a customer's Idempotency-Key, and
coupons.

The answer comes within API Gateway's 29 s: a saga still running after ``ANSWER_SECONDS``
goes on, and the caller hears 409 CHECKOUT_IN_PROGRESS with the order's id and where to look.
The checkout and order ids follow from the key (``titan.ids.derived_id``) and each start is
recorded (``Attempt``), so a retry with the key never starts a second saga: it gets the order
once the first one made it.
"""

from __future__ import annotations

import json

from botocore.exceptions import ReadTimeoutError
from pynamodb.exceptions import PutError, TransactWriteError

from checkout import settings
from checkout.schemas import CheckoutIn, CheckoutOut, CouponIn, CouponOut
from checkout.store import Attempt, CouponItem, SellerVoucher
from titan import clock
from titan.aws import step_functions_sync
from titan.calls import invoke
from titan.context import correlation_id
from titan.dynamo import condition_failed, get_or_404, transaction
from titan.errors import Conflict, Problem
from titan.ids import derived_id
from titan.observability import logger
from titan.saga import refusal_from_cause

#: Units stay reserved this long for a card checkout, and until the boleto's due date (+1 h).
CARD_HOLD_SECONDS = 15 * 60
BOLETO_HOLD_SECONDS = 3 * 86400 + 3600

#: Seconds the API waits for the saga before answering CHECKOUT_IN_PROGRESS: API Gateway
#: cuts a REST integration at 29 s, and the answer needs time to travel.
ANSWER_SECONDS = 24
#: An Express workflow runs at most 5 minutes: an attempt older than that has ended.
SAGA_LIMIT_SECONDS = 300


def _start(state_input: dict, remaining_seconds: float) -> dict | None:
    """The saga's result, or None if it is still running when the answer is due: after
    ``ANSWER_SECONDS``, or sooner when the Lambda has less than that left."""
    wait = max(1.0, min(ANSWER_SECONDS, remaining_seconds - 3))
    try:
        return step_functions_sync(round(wait)).start_sync_execution(
            stateMachineArn=settings.SETTINGS.needed("checkout_state_machine"),
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
        order = invoke("ORDERS_STEPS_FUNCTION", "get", {"orderId": attempt.order_id})
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


def run_checkout(
    customer_id: str, body: CheckoutIn, key: str, remaining_seconds: float = ANSWER_SECONDS
) -> dict:
    """Run the saga once for the caller's Idempotency-Key ``key``, waiting at most
    ``remaining_seconds`` (the Lambda's time left); ``{"status": 201, "body": ...}`` or a
    refusal ``{"status": 4xx, "body": problem}``. Raises Problem 409
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
        "shippingChoices": [c.model_dump() for c in body.shipping or []],
        "payments": payments,
        "holdSeconds": BOLETO_HOLD_SECONDS
        if any(p["method"] == "boleto" for p in payments)
        else CARD_HOLD_SECONDS,
        "correlationId": correlation_id(),
    }
    result = _start(state_input, remaining_seconds)
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


# ------------------------------------------------------------------ coupons (staff)


def coupon_view(item: CouponItem) -> CouponOut:
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
        sellerId=item.seller_id,
    )


def create_coupon(body: CouponIn, actor: str, seller_id: str | None = None) -> CouponOut:
    """A new coupon ``body`` made by ``actor``; with ``seller_id`` a shop voucher (it
    discounts that seller's lines only, and the seller funds it), listed for the seller in
    the same transaction. Raises Conflict COUPON_EXISTS for a code in use."""
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
        seller_id=seller_id,
        created_by=actor,
        created_at=clock.iso(),
    )
    try:
        with transaction() as write:
            write.save(item, condition=CouponItem.pk.does_not_exist())
            if seller_id:
                write.save(SellerVoucher(*SellerVoucher.key(seller_id, body.code), code=body.code))
    except TransactWriteError as exc:
        raise Conflict("A coupon with this code exists.", code="COUPON_EXISTS") from exc
    return coupon_view(item)


def seller_vouchers(seller_id: str) -> list[CouponOut]:
    """The seller's shop vouchers, by code."""
    codes = [v.code for v in SellerVoucher.query(f"SELLER#{seller_id}")]
    found = CouponItem.batch_get([CouponItem.key(code) for code in codes])
    return sorted((coupon_view(item) for item in found), key=lambda c: c.code)


def get_coupon(code: str) -> CouponOut:
    """The coupon and its uses. Raises NotFound COUPON_NOT_FOUND."""
    item = get_or_404(
        CouponItem, *CouponItem.key(code), code="COUPON_NOT_FOUND", detail="No such coupon."
    )
    return coupon_view(item)
