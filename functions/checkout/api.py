"""Checkout API, routes only (shapes in ``schemas``, use cases in ``service``).

``POST /checkout`` runs the checkout saga (Step Functions EXPRESS, synchronous);
``POST /admin/coupons`` and ``GET /admin/coupons/{code}`` manage coupons;
``/sellers/{sellerId}/vouchers`` a seller's shop vouchers (coupons it funds, on its lines).

``POST /checkout`` needs an ``Idempotency-Key``: the first answer for a key (an order, or a
refusal such as 402 PAYMENT_DECLINED) is the answer for every retry with that key, and a
second request with the key while the first runs gets 409 REQUEST_IN_PROGRESS, so a key
never makes two orders or two charges. A fault (5xx) is not kept: the retry runs again.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from checkout import service
from checkout.schemas import CODE, CheckoutIn, CheckoutOut, CouponIn, CouponOut, VoucherList
from titan import ids
from titan.api import answers, create_app, lambda_handler
from titan.auth import bearer, require
from titan.errors import Problem
from titan.idempotency import idempotent, require_key

app = create_app()


def _remaining_seconds() -> float:
    context = app.lambda_context
    return context.get_remaining_time_in_millis() / 1000 if context else service.ANSWER_SECONDS


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
        lambda: service.run_checkout(customer, body, key, _remaining_seconds()),
    )
    if answer["status"] >= 400:
        raise Problem.from_body(answer["body"])
    return Response(201, "application/json", CheckoutOut(**answer["body"]))


@app.post(
    "/admin/coupons",
    tags=["checkout admin"],
    summary="Create a coupon",
    security=bearer("admin", "staff"),
    responses=answers(201, CouponOut),
)
def create_coupon(body: CouponIn) -> Response[CouponOut]:
    """Staff and admins. 409 COUPON_EXISTS for a code in use."""
    return Response(201, "application/json", service.create_coupon(body, require(app).id))


@app.get(
    "/admin/coupons/<code>",
    tags=["checkout admin"],
    summary="A coupon and its uses",
    security=bearer("admin", "staff"),
)
def get_coupon(code: Annotated[str, Path(pattern=CODE)]) -> CouponOut:
    require(app)
    return service.get_coupon(code)


SellerId = Annotated[str, Path(pattern=ids.SOURCE_ID)]


@app.post(
    "/sellers/<sellerId>/vouchers",
    tags=["checkout"],
    summary="Create a shop voucher",
    security=bearer("seller", "staff", "admin"),
    responses=answers(201, CouponOut),
)
def create_voucher(sellerId: SellerId, body: CouponIn) -> Response[CouponOut]:
    """A coupon scoped to the seller's shop: it discounts only the seller's lines (its
    minimum counts only them; 422 COUPON_NOT_APPLICABLE for a cart without them) and the
    seller funds the discount (booked against the seller's balance when the order's escrow
    is released, not the platform's). The seller or staff; 409 COUPON_EXISTS."""
    caller = require(app)
    caller.require_seller(sellerId)
    return Response(201, "application/json", service.create_coupon(body, caller.id, sellerId))


@app.get(
    "/sellers/<sellerId>/vouchers",
    tags=["checkout"],
    summary="A seller's shop vouchers",
    security=bearer("seller", "staff", "admin"),
)
def list_vouchers(sellerId: SellerId) -> VoucherList:
    require(app).require_seller(sellerId)
    return VoucherList(items=service.seller_vouchers(sellerId))


handler = lambda_handler(app)
