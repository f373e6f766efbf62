"""POST /checkout and coupons over the API: outcomes per Idempotency-Key, answers within
the gateway's time, input checks."""

from __future__ import annotations

import json

import pytest

from apigw import call
from checkout import api as checkout_api
from checkout import service as checkout_service
from tests.unit.shop import ADDRESS, ANA, CARD, STAFF
from titan import clock
from titan.errors import Problem


def test_checkout_maps_saga_outcomes_and_keeps_refusals_per_key(world, monkeypatch):
    runs = []

    def fake_start(state, wait):
        runs.append(state)
        cause = json.dumps(
            {
                "errorType": "StepRefused",
                "errorMessage": json.dumps(
                    {"code": "OUT_OF_STOCK", "status": 409, "detail": "No.", "offerIds": ["off_1"]}
                ),
            }
        )
        return {"status": "FAILED", "error": "StepRefused", "cause": cause}

    monkeypatch.setattr(checkout_service, "_start", fake_start)
    body = {"shippingAddressId": ADDRESS, "payments": [CARD]}
    no_key = call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA)
    assert (no_key[0], no_key[2]["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    for _ in range(2):
        status, headers, problem = call(
            checkout_api.handler,
            "POST",
            "/checkout",
            body,
            authorizer=ANA,
            headers={"Idempotency-Key": "k1"},
        )
        assert (status, problem["code"], problem["offerIds"]) == (409, "OUT_OF_STOCK", ["off_1"])
        assert headers["content-type"] == "application/problem+json"
    assert len(runs) == 1  # the retry got the kept answer
    assert runs[0]["holdSeconds"] == checkout_service.CARD_HOLD_SECONDS
    assert runs[0]["orderId"] == "ord_" + runs[0]["checkoutId"][4:]
    reused = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        {**body, "couponCode": "OTHER"},
        authorizer=ANA,
        headers={"Idempotency-Key": "k1"},
    )
    assert (reused[0], reused[2]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")

    monkeypatch.setattr(
        checkout_service,
        "_start",
        lambda state, wait: {"status": "FAILED", "error": "RuntimeError", "cause": "{}"},
    )
    fault = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        body,
        authorizer=ANA,
        headers={"Idempotency-Key": "k2"},
    )
    assert (fault[0], fault[2]["code"], fault[1]["retry-after"]) == (503, "CHECKOUT_FAILED", "1")
    output = {"orderId": "ord_1", "status": "CONFIRMED", "total": {"amount": 1, "currency": "BRL"}}
    monkeypatch.setattr(
        checkout_service,
        "_start",
        lambda state, wait: {"status": "SUCCEEDED", "output": json.dumps(output)},
    )
    assert (
        call(
            checkout_api.handler,
            "POST",
            "/checkout",
            body,
            authorizer=ANA,
            headers={"Idempotency-Key": "k2"},
        )[2]
        == output
    )


def test_a_saga_that_outlasts_the_answer_is_409_in_progress_then_the_retry_gets_the_order(
    world, monkeypatch
):
    runs, orders = [], {}

    def slow_start(state, wait):
        runs.append(state)
        return None  # still running when the answer was due

    def orders_step(function_env, action, payload):
        assert (function_env, action) == ("ORDERS_STEPS_FUNCTION", "get")
        if payload["orderId"] not in orders:
            raise Problem("No such order.", status=404, code="ORDER_NOT_FOUND")
        return orders[payload["orderId"]]

    monkeypatch.setattr(checkout_service, "_start", slow_start)
    monkeypatch.setattr(checkout_service, "invoke", orders_step)
    body = {"shippingAddressId": ADDRESS, "payments": [CARD]}
    key = {"Idempotency-Key": "slow-1"}
    status, headers, problem = call(
        checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
    )
    order_id = runs[0]["orderId"]
    assert (status, problem["code"], problem["orderId"]) == (409, "CHECKOUT_IN_PROGRESS", order_id)
    assert headers["location"] == f"/orders/{order_id}" and headers["retry-after"] == "2"
    # the retry starts nothing: the saga is still going
    retry = call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key)
    assert (retry[0], retry[2]["code"]) == (409, "CHECKOUT_IN_PROGRESS") and len(runs) == 1
    # the saga made the order: the retry returns it, and so does every later one
    total = {"amount": 10490, "currency": "BRL"}
    orders[order_id] = {"orderId": order_id, "status": "CONFIRMED", "totals": {"total": total}}
    for _ in range(2):
        status, _, placed = call(
            checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
        )
        assert (status, placed) == (
            201,
            {"orderId": order_id, "status": "CONFIRMED", "total": total},
        )
    assert len(runs) == 1


def test_a_saga_that_ended_without_an_order_after_the_answer_is_not_placed(world, monkeypatch):
    monkeypatch.setattr(checkout_service, "_start", lambda state, wait: None)
    monkeypatch.setattr(
        checkout_service,
        "invoke",
        lambda *a: (_ for _ in ()).throw(Problem("", status=404, code="ORDER_NOT_FOUND")),
    )
    body, key = {"shippingAddressId": ADDRESS, "payments": [CARD]}, {"Idempotency-Key": "slow-2"}
    assert (
        call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key)[0] == 409
    )
    later = clock.epoch_seconds() + checkout_service.SAGA_LIMIT_SECONDS + 1
    monkeypatch.setattr(checkout_service.clock, "epoch_seconds", lambda: later)
    status, _, problem = call(
        checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
    )
    assert (status, problem["code"]) == (409, "CHECKOUT_NOT_PLACED")


def test_a_retry_after_a_fault_runs_a_new_saga_under_new_ids(world, monkeypatch):
    runs = []

    def failing_then_ok(state, wait):
        runs.append(state)
        if len(runs) == 1:
            return {"status": "FAILED", "error": "RuntimeError", "cause": "{}"}
        total = {"amount": 1, "currency": "BRL"}
        return {
            "status": "SUCCEEDED",
            "output": json.dumps(
                {"orderId": state["orderId"], "status": "CONFIRMED", "total": total}
            ),
        }

    monkeypatch.setattr(checkout_service, "_start", failing_then_ok)
    body, key = {"shippingAddressId": ADDRESS, "payments": [CARD]}, {"Idempotency-Key": "flaky"}
    assert (
        call(checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key)[0] == 503
    )
    status, _, placed = call(
        checkout_api.handler, "POST", "/checkout", body, authorizer=ANA, headers=key
    )
    assert status == 201 and placed["orderId"] == runs[1]["orderId"]
    assert runs[0]["checkoutId"] != runs[1]["checkoutId"]


@pytest.mark.parametrize(
    "payment",
    [
        {"method": "card"},
        {"method": "boleto", "card": {"number": "4242424242424242"}},
        {"method": "pix"},
        {"method": "card", "installments": 25, "card": {"number": "4242424242424242"}},
    ],
)
def test_checkout_input_is_validated(world, payment):
    status, _, problem = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        {"shippingAddressId": ADDRESS, "payments": [payment]},
        authorizer=ANA,
        headers={"Idempotency-Key": "k"},
    )
    assert (status, problem["code"]) == (422, "VALIDATION_FAILED")


def test_coupons_are_staff_only_and_validated(world):
    coupon = {
        "code": "BLACKFRIDAY",
        "type": "percentage",
        "value": 1500,
        "maxDiscount": 5000,
        "usageLimit": 100,
        "perCustomerLimit": 1,
    }
    assert call(checkout_api.handler, "POST", "/admin/coupons", coupon, authorizer=ANA)[0] == 403
    status, _, created = call(
        checkout_api.handler, "POST", "/admin/coupons", coupon, authorizer=STAFF
    )
    assert (status, created["used"]) == (201, 0)
    assert (
        call(checkout_api.handler, "POST", "/admin/coupons", coupon, authorizer=STAFF)[2]["code"]
        == "COUPON_EXISTS"
    )
    bad = call(
        checkout_api.handler,
        "POST",
        "/admin/coupons",
        {**coupon, "code": "X2X", "value": 20_000},
        authorizer=STAFF,
    )
    assert bad[0] == 422
    assert (
        call(checkout_api.handler, "GET", "/admin/coupons/BLACKFRIDAY", authorizer=STAFF)[2][
            "maxDiscount"
        ]
        == 5000
    )


def test_a_seller_makes_shop_vouchers_that_discount_its_lines_only(world):
    from checkout import steps as checkout_steps
    from tests.unit.shop import SELLER
    from titan.saga import StepRefused

    seller = {"principalId": "acct_seller", "roles": "seller", "sellerId": SELLER}
    other = {"principalId": "acct_other", "roles": "seller", "sellerId": "f" * 32}
    voucher = {"code": "LOJA15", "type": "percentage", "value": 1500, "minOrderValue": 10000}
    path = f"/sellers/{SELLER}/vouchers"
    assert call(checkout_api.handler, "POST", path, voucher, authorizer=other)[0] == 404
    assert call(checkout_api.handler, "POST", path, voucher, authorizer=ANA)[0] == 403
    status, _, made = call(checkout_api.handler, "POST", path, voucher, authorizer=seller)
    assert (status, made["sellerId"]) == (201, SELLER)
    listed = call(checkout_api.handler, "GET", path, authorizer=seller)[2]["items"]
    assert [v["code"] for v in listed] == ["LOJA15"]

    def line(seller_id, price):
        return {"sellerId": seller_id, "unitPrice": price, "quantity": 1, "freight": 500}

    base = {"checkoutId": "chk_1", "customerId": "acct_c", "currency": "BRL",
            "couponCode": "LOJA15", "payments": [{"method": "card"}]}  # fmt: skip
    # the shop's lines make the minimum and take the discount; the other shop's do not
    priced = checkout_steps.price({**base, "lines": [line(SELLER, 12000), line("f" * 32, 50000)]})
    assert (priced["discount"], priced["discountFundedBy"]) == (1800, SELLER)
    with pytest.raises(StepRefused) as short:
        checkout_steps.price({**base, "checkoutId": "chk_2",
                              "lines": [line(SELLER, 5000), line("f" * 32, 50000)]})  # fmt: skip
    assert short.value.code == "COUPON_MINIMUM_NOT_MET"
    with pytest.raises(StepRefused) as elsewhere:
        checkout_steps.price({**base, "checkoutId": "chk_3", "lines": [line("f" * 32, 50000)]})
    assert elsewhere.value.code == "COUPON_NOT_APPLICABLE"


@pytest.mark.parametrize(
    "payment",
    [
        {"method": "voucher"},
        {"method": "voucher", "amount": 100},
        {"method": "card", "card": {"number": "4242424242424242"}, "voucherCode": "GIFT-1"},
    ],
)
def test_a_voucher_payment_needs_its_code_and_only_it_takes_one(world, payment):
    body = {"shippingAddressId": ADDRESS, "payments": [payment]}
    status, _, problem = call(
        checkout_api.handler,
        "POST",
        "/checkout",
        body,
        authorizer=ANA,
        headers={"Idempotency-Key": "v"},
    )
    assert (status, problem["code"]) == (422, "VALIDATION_FAILED")
